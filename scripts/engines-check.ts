import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { subset, validRange } from 'semver';
import { projectRoot } from '../src/config/config';

/**
 * CI (.ci/run): every package that package-lock.json installs accepts every Node.js version
 * that package.json's `engines` declares (semver: our range is a subset of each of theirs),
 * so that `npm ci` never warns EBADENGINE on a Node.js we say we support. Exit 1 names
 * the packages that do not.
 */
const root = projectRoot();
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  engines: { node: string };
};
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { engines?: { node?: string } | string[]; optional?: boolean }>;
};
const ours = manifest.engines.node;
const refusing = Object.entries(lock.packages).flatMap(([path, info]) => {
  const node = Array.isArray(info.engines) ? undefined : info.engines?.node;
  if (!path || !node || !validRange(node)) return [];
  return subset(ours, node) ? [] : [`${path.replace(/^.*node_modules\//, '')}: node ${node}`];
});
if (refusing.length) {
  console.error(
    `These packages do not accept every Node.js version of engines.node "${ours}":\n  ` +
      refusing.join('\n  '),
  );
  process.exit(1);
}
console.log(`every installed package accepts Node.js ${ours}`);
