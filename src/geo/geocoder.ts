import { DataSource } from 'typeorm';
import { normalisePostcode } from './postcode';

/** Where a postcode is, and the administrative areas it lies in. */
export interface GeoPoint {
  /** The postcode in its standard form, e.g. "BS1 2LH". */
  postcode: string;
  /** WGS84 decimal degrees. */
  latitude: number;
  longitude: number;
  /**
   * Lower-cased codes and names of the local authority district and electoral ward, e.g.
   * ["e06000023", "e05010892", "bristol, city of", "central"]; [] from locations.
   */
  areas: string[];
  /**
   * 'onspd': the postcode table (loaded from the ONS Postcode Directory). 'locations': the
   * average position of the directory's own locations with an address at that postcode.
   */
  source: 'onspd' | 'locations';
}

/**
 * A postcode that is malformed or cannot be located. The API answers 400, except for a
 * postcode this server cannot locate because it has no postcode directory (501: the
 * postcode may well be right; the server cannot say).
 */
export class PostcodeError extends Error {
  constructor(
    message: string,
    /**
     * 'malformed': not a UK postcode; 'not_found': well-formed, in no loaded directory and at
     * no location; 'no_directory': well-formed, at no location, and no directory is loaded.
     */
    readonly reason: 'malformed' | 'not_found' | 'no_directory',
  ) {
    super(message);
    this.name = 'PostcodeError';
  }
}

export const POSTCODE_DIRECTORY_MISSING = (postcode: string) =>
  `postcode "${postcode}" is not at any location of this directory, and no postcode directory ` +
  'is loaded to locate it: see the README, "Postcodes"';

/**
 * Both lookups in one statement: the postcode table, else the locations with an address at
 * that postcode (compared without spaces, in upper case), which run only when the table
 * has no row, through IDX_address_postcode (migration 1795586130894). A location with
 * several addresses at the postcode counts once. When neither has it, one row without a
 * position says whether the table holds any postcode at all.
 */
const LOCATE = `
  WITH onspd AS (
    SELECT postcode, latitude, longitude, areas, 'onspd' AS source
    FROM postcode
    WHERE postcode = $1
  ), located AS (
    SELECT * FROM onspd
    UNION ALL
    SELECT $1, avg(l.latitude), avg(l.longitude), '{}'::text[], 'locations'
    FROM location l
    WHERE NOT EXISTS (SELECT 1 FROM onspd)
      AND l.latitude IS NOT NULL
      AND l.longitude IS NOT NULL
      AND l.id IN (
        SELECT a.location_id FROM address a WHERE upper(replace(a.postal_code, ' ', '')) = $2
      )
    HAVING count(*) > 0
  )
  SELECT *, true AS loaded FROM located
  UNION ALL
  SELECT NULL, NULL, NULL, NULL, NULL, EXISTS (SELECT 1 FROM postcode)
  WHERE NOT EXISTS (SELECT 1 FROM located)`;

/**
 * Turns a postcode into a point, offline: from the postcode table when it has the postcode
 * (terminated postcodes included: they still name a place), else from the average
 * coordinates of the directory's locations whose address has that postcode, so that a
 * server without the ONS Postcode Directory still finds the postcodes it publishes.
 * One SQL statement per call.
 */
export class Geocoder {
  constructor(private readonly db: DataSource) {}

  /**
   * Locates a postcode given in any case and spacing ("bs15tr", " BS1  5TR ").
   * Throws a PostcodeError when it is malformed or found neither in the postcode table
   * nor at any location.
   */
  async locate(input: string): Promise<GeoPoint> {
    const postcode = normalisePostcode(input);
    if (!postcode)
      throw new PostcodeError('postcode must be a UK postcode such as "BS1 2LH"', 'malformed');
    const [row] = await this.db.query<(Omit<GeoPoint, 'postcode'> & { loaded: boolean })[]>(
      LOCATE,
      [postcode, postcode.replace(' ', '')],
    );
    if (row.source === null) {
      if (!row.loaded)
        throw new PostcodeError(POSTCODE_DIRECTORY_MISSING(postcode), 'no_directory');
      throw new PostcodeError(
        `postcode "${postcode}" was not found in the postcode directory or at any location`,
        'not_found',
      );
    }
    const { latitude, longitude, areas, source } = row;
    return { postcode, latitude, longitude, areas, source };
  }
}
