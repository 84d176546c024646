import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { MIGRATIONS } from '../../migrations';
import { projectRoot } from '../config/config';

describe('migrations/index.ts', () => {
  it('lists every migration file, oldest first', () => {
    const files = readdirSync(join(projectRoot(), 'migrations')).filter((f) =>
      /^\d+-.*\.ts$/.test(f),
    );
    const timestamps = files.map((f) => Number(f.split('-')[0])).sort((a, b) => a - b);
    expect(MIGRATIONS.map((m) => Number(/(\d+)$/.exec(m.name)![1]))).toEqual(timestamps);
  });
});
