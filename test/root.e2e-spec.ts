import request from 'supertest';
import { createTestApp, TestApp } from './support/app';
import { officialErrors, openApiErrors, officialIt } from './support/oruk-schemas';

describe('GET / (feed details)', () => {
  let t: TestApp;
  beforeAll(async () => (t = await createTestApp()));
  afterAll(() => t.close());

  it('names the version, profile and this server’s OpenAPI document, derived from the request', async () => {
    const { body } = await request(t.http).get('/').set('Host', 'feed.example.org').expect(200);
    expect(body).toEqual({
      version: 'HSDS-UK-3.0',
      profile: 'https://openreferraluk.org/developers/specifications',
      openapi_url: 'http://feed.example.org/openapi.json',
    });
    expect(openApiErrors('ApiDetails', body)).toEqual([]);
  });

  officialIt('validates against the official api_details.json', async () => {
    const { body } = await request(t.http).get('/').expect(200);
    expect(officialErrors('api_details.json', body)).toEqual([]);
  });

  it('serves the OpenAPI document it advertises, with servers set to this feed', async () => {
    const { body } = await request(t.http)
      .get('/openapi.json')
      .set('Host', 'feed.example.org')
      .expect(200);
    expect(body.info.version).toBe('HSDS-UK-3.0');
    expect(body.servers).toEqual([{ url: 'http://feed.example.org' }]);
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining(['/', '/services', '/services/{id}']),
    );
    expect(body.components.schemas.ServiceFull.properties.service_at_locations).toBeDefined();
  });

  it('serves Swagger UI at /docs', async () => {
    const { text } = await request(t.http).get('/docs/').expect(200);
    expect(text).toContain('swagger-ui');
  });
});

describe('a feed published under a base path, with a public URL and publisher', () => {
  let t: TestApp;
  beforeAll(
    async () =>
      (t = await createTestApp({
        BASE_PATH: '/api/oruk',
        PUBLIC_URL: 'https://directory.bristol.example/api/oruk/',
        API_DESCRIPTION: 'Community services in Bristol',
        PUBLISHER_NAME: 'Bristol Community Directory',
        PUBLISHER_EMAIL: 'data@bristol.example',
      })),
  );
  afterAll(() => t.close());

  it.each(['/api/oruk', '/api/oruk/'])('answers GET %s with the public URLs', async (path) => {
    const { body } = await request(t.http).get(path).expect(200);
    expect(body).toEqual({
      version: 'HSDS-UK-3.0',
      profile: 'https://openreferraluk.org/developers/specifications',
      openapi_url: 'https://directory.bristol.example/api/oruk/openapi.json',
      description: 'Community services in Bristol',
      publisher: { name: 'Bristol Community Directory', email: 'data@bristol.example' },
    });
  });

  it('serves every endpoint under the base path and nothing outside it', async () => {
    const { body } = await request(t.http).get('/api/oruk/services?per_page=2').expect(200);
    expect(body.contents).toHaveLength(2);
    await request(t.http).get(`/api/oruk/services/${body.contents[0].id}`).expect(200);
    await request(t.http).get('/api/oruk/openapi.json').expect(200);
    await request(t.http).get('/api/oruk/docs/').expect(200);
    await request(t.http).get('/services').expect(404);
  });
});
