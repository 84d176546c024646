/**
 * The examples of the OpenAPI document. Swagger UI's "Try it out" sends them as they are,
 * all together, so each must be valid alone and with the others, and each names a record
 * of the demonstration data that `npm start` loads (seed/data): "Debt advice casework" of
 * the Bristol Neighbourhood Advice Centre, at BS1 2LH, classified "Debt advice" in the
 * Bristol Community Services taxonomy. test/examples.e2e-spec.ts checks them against the
 * seeded database, and in a browser.
 */
export const EXAMPLE = {
  service: 'c9f7de2d-8ad3-4a21-b412-bfeecd15fe0f',
  serviceAtLocation: 'a8cf9aa3-81c8-4de7-8b68-f59dd3f31974',
  organization: '32cac734-8c3d-4dfd-b5e9-9be36b121ff4',
  taxonomy: '4b015421-e08b-4d73-8b34-78e6c45d4aeb',
  taxonomyTerm: '9223ac2a-022e-411d-930a-64c628f496ee',
  /** The parent of taxonomyTerm. */
  parentTerm: 'babf047e-6960-411a-ac9f-7c0e290edf1d',
  /** The postcode of the service's location: known without the ONS Postcode Directory. */
  postcode: 'BS1 2LH',
  search: 'debt advice -online',
} as const;
