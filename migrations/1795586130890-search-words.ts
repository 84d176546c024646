import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The words that searches can match: every lexeme of every service's search vector, once
 * (src/search/typos.ts). A search word of five letters or more that is not among them is
 * a typo candidate, and the lexemes one edit away from it that are among them are what it
 * was meant to be: "domsetic" (lexeme domset) finds "domestic" (domest).
 *
 * Kept as services are written, by a trigger per statement over the rows it wrote, which
 * adds only lexemes not yet known (read through the primary key first, so that a bulk load
 * of known words writes nothing). Lexemes are not removed when the last service that used
 * them goes: a stale one can only offer a correction that then matches nothing.
 */
export class SearchWords1795586130890 implements MigrationInterface {
  name = 'SearchWords1795586130890';

  public async up(queryRunner: QueryRunner): Promise<void> {
    const q = (sql: string) => queryRunner.query(sql);
    await q(
      `CREATE TABLE search_word (lexeme text NOT NULL, CONSTRAINT "PK_search_word" PRIMARY KEY (lexeme))`,
    );
    await q(`
      INSERT INTO search_word (lexeme)
      SELECT DISTINCT l FROM service s, unnest(tsvector_to_array(s.search_vector)) l`);
    await q(`
      CREATE FUNCTION oruk_add_search_words() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          INSERT INTO search_word (lexeme)
          SELECT DISTINCT l FROM new_rows n, unnest(tsvector_to_array(n.search_vector)) l
          WHERE NOT EXISTS (SELECT 1 FROM search_word w WHERE w.lexeme = l)
          ON CONFLICT DO NOTHING;
        ELSE
          INSERT INTO search_word (lexeme)
          SELECT DISTINCT l
          FROM new_rows n JOIN old_rows o ON o.id = n.id,
               unnest(tsvector_to_array(n.search_vector)) l
          WHERE n.search_vector IS DISTINCT FROM o.search_vector
            AND NOT EXISTS (SELECT 1 FROM search_word w WHERE w.lexeme = l)
          ON CONFLICT DO NOTHING;
        END IF;
        RETURN NULL;
      END $$`);
    await q(`
      CREATE TRIGGER service_search_words_insert AFTER INSERT ON service
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION oruk_add_search_words()`);
    await q(`
      CREATE TRIGGER service_search_words_update AFTER UPDATE ON service
      REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION oruk_add_search_words()`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    const q = (sql: string) => queryRunner.query(sql);
    await q(`DROP TRIGGER service_search_words_update ON service`);
    await q(`DROP TRIGGER service_search_words_insert ON service`);
    await q(`DROP FUNCTION oruk_add_search_words()`);
    await q(`DROP TABLE search_word`);
  }
}
