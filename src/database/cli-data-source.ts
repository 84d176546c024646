import { loadConfig } from '../config/config';
import { createDataSource } from './data-source';

/** For the TypeORM CLI (`npm run migration:*`): the database in DATABASE_URL. */
const { DATABASE_URL } = loadConfig();
if (!DATABASE_URL) throw new Error('Set DATABASE_URL to run TypeORM migration commands');
export default createDataSource(DATABASE_URL);
