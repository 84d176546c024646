import { NestFactory } from '@nestjs/core';
import { join } from 'node:path';
import { buildOpenApiDocument } from '../src/api/openapi';
import { AppModule } from '../src/app.module';
import { loadConfig, projectRoot } from '../src/config/config';
import { checkOrWrite } from './check-or-write';
import { renderReadme } from './readme';

/**
 * Generates openapi/openapi.json from the code, and the README's tables of endpoints and
 * parameters from it (./readme.ts). The application is created in preview mode: the routes
 * are read, nothing is instantiated, so no database is needed.
 */
async function main(): Promise<void> {
  const config = loadConfig({});
  const app = await NestFactory.create(AppModule.forRoot(config, 'postgres://unused'), {
    preview: true,
    logger: false,
  });
  const document = buildOpenApiDocument(app);
  checkOrWrite(
    join(projectRoot(), 'openapi', 'openapi.json'),
    `${JSON.stringify(document, null, 2)}\n`,
    'npm run openapi',
  );
  const readme = join(projectRoot(), 'README.md');
  checkOrWrite(readme, await renderReadme(readme, document), 'npm run openapi');
  await app.close();
}

void main();
