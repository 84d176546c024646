import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { projectRoot } from '../src/config/config';
import { createDataSource } from '../src/database/data-source';
import { checkOrWrite } from './check-or-write';

/** Writes docs/erd.md, a Mermaid entity-relationship diagram, from the TypeORM metadata. */
async function main(): Promise<void> {
  const dataSource = createDataSource('postgres://unused');
  // Builds the entity metadata without connecting.
  await (dataSource as unknown as { buildMetadatas(): Promise<void> }).buildMetadatas();
  checkOrWrite(join(projectRoot(), 'docs', 'erd.md'), render(dataSource), 'npm run erd');
}

function render(dataSource: DataSource): string {
  const lines = ['erDiagram'];
  const entities = [...dataSource.entityMetadatas].sort((a, b) =>
    a.tableName.localeCompare(b.tableName),
  );
  for (const entity of entities) {
    lines.push(`  ${entity.tableName} {`);
    for (const column of entity.columns) {
      const keys = [column.isPrimary && 'PK', column.relationMetadata && 'FK']
        .filter(Boolean)
        .join(',');
      const type = String(column.type).replace(/\W+/g, '_');
      const nullable = column.isNullable ? '' : 'not null';
      lines.push(
        `    ${type} ${column.databaseName}${keys ? ` ${keys}` : ''}${nullable ? ` "${nullable}"` : ''}`,
      );
    }
    lines.push('  }');
  }
  for (const entity of entities) {
    for (const relation of entity.manyToOneRelations) {
      const column = relation.joinColumns[0].databaseName;
      const target = relation.inverseEntityMetadata.tableName;
      const parent = relation.isNullable ? 'o|' : '||';
      const soft = relation.createForeignKeyConstraints ? '' : ' (no FK constraint)';
      lines.push(`  ${target} ${parent}--o{ ${entity.tableName} : "${column}${soft}"`);
    }
  }
  return `# Entity-relationship diagram

Generated from the TypeORM entities (\`src/hsds/entities.ts\`) by \`npm run erd\`; CI fails if
it drifts. Not drawn: \`attribute\` links to its record by \`(link_entity, link_id)\` — any of
service, organization, organization_identifier, location, address, accessibility, contact —
without a foreign key (triggers delete a record's attributes with it).

\`\`\`mermaid
${lines.join('\n')}
\`\`\`
`;
}

void main();
