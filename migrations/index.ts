import { InitialSchema1795586130881 } from './1795586130881-initial-schema';
import { ServiceLastModified1795586130882 } from './1795586130882-service-last-modified';
import { SearchAndFilters1795586130883 } from './1795586130883-search-and-filters';
import { Postcodes1795586130884 } from './1795586130884-postcodes';
import { SetBasedTriggers1795586130885 } from './1795586130885-set-based-triggers';
import { Provenance1795586130886 } from './1795586130886-provenance';
import { SearchOnWrite1795586130887 } from './1795586130887-search-on-write';
import { GeojsonParallelUnsafe1795586130888 } from './1795586130888-geojson-parallel-unsafe';
import { ServiceAreaCoverage1795586130889 } from './1795586130889-service-area-coverage';
import { SearchWords1795586130890 } from './1795586130890-search-words';
import { RecordChanges1795586130891 } from './1795586130891-record-changes';
import { DataVersion1795586130892 } from './1795586130892-data-version';
import { ListCounts1795586130893 } from './1795586130893-list-counts';
import { LocatedPostcodes1795586130894 } from './1795586130894-located-postcodes';
import { OrganizationNameOrder1795586130895 } from './1795586130895-organization-name-order';

/**
 * Every migration, oldest first. Listed rather than globbed so that they load the same way
 * from src/, from dist/ and in the tests; a unit test checks that none is missing here.
 */
export const MIGRATIONS = [
  InitialSchema1795586130881,
  ServiceLastModified1795586130882,
  SearchAndFilters1795586130883,
  Postcodes1795586130884,
  SetBasedTriggers1795586130885,
  Provenance1795586130886,
  SearchOnWrite1795586130887,
  GeojsonParallelUnsafe1795586130888,
  ServiceAreaCoverage1795586130889,
  SearchWords1795586130890,
  RecordChanges1795586130891,
  DataVersion1795586130892,
  ListCounts1795586130893,
  LocatedPostcodes1795586130894,
  OrganizationNameOrder1795586130895,
];
