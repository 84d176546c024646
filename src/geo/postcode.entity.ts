import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A UK postcode with its coordinates and the administrative areas it lies in, loaded from
 * the ONS Postcode Directory (src/geo/onspd.ts) for offline geocoding (src/geo/geocoder.ts).
 * Not HSDS: never emitted, never imported from feeds; plain TypeORM columns.
 */
@Entity('postcode')
@Check('CHK_postcode_latitude', '"latitude" BETWEEN -90 AND 90')
@Check('CHK_postcode_longitude', '"longitude" BETWEEN -180 AND 180')
export class Postcode {
  @PrimaryColumn({
    type: 'text',
    primaryKeyConstraintName: 'PK_postcode',
    comment: 'The postcode in its standard form, e.g. BS1 5TR.',
  })
  postcode: string;

  @Column({ type: 'double precision', comment: 'WGS84 latitude in decimal degrees.' })
  latitude: number;

  @Column({ type: 'double precision', comment: 'WGS84 longitude in decimal degrees.' })
  longitude: number;

  @Column({
    type: 'text',
    array: true,
    default: () => "'{}'",
    comment:
      'Lower-cased codes and names of the local authority district and electoral ward the postcode is in.',
  })
  areas: string[];

  @Column({
    type: 'date',
    nullable: true,
    comment: 'The first day of the month the postcode was terminated; null while in use.',
  })
  terminated: string | null;
}
