import { DynamicModule, Module, ValidationPipe, BadRequestException } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { ValidationError } from 'class-validator';
import { Endpoints } from './api/endpoints';
import { OpenApiController, OpenApiHolder, RootController } from './api/root.controller';
import { OrganizationsController } from './api/organizations.controller';
import { ServiceAtLocationsController } from './api/service-at-locations.controller';
import { ServicesController } from './api/services.controller';
import { TaxonomiesController } from './api/taxonomies.controller';
import { TaxonomyTermsController } from './api/taxonomy-terms.controller';
import { AllExceptionsFilter } from './common/all-exceptions.filter';
import { AppConfig } from './config/config';
import { DATABASE_URL, DatabaseLifecycle, dataSourceProvider } from './database/database.provider';
import { DataVersion } from './database/data-version';
import { HealthController } from './health/health.controller';
import { SeedIfEmpty } from './import/seed-if-empty';
import { Lists } from './search/lists';
import { RecordReader } from './search/record-reader';

/**
 * Where a request goes: src/api/*.controller.ts (one per ORUK resource: the resource object
 * and its routes; query parameters in src/api/queries.ts) → Endpoints (src/api/endpoints.ts:
 * HTTP) → Lists (src/search/lists.ts: filters → a ListPlan) → RecordReader → SQL built from
 * a shape (src/hsds/). Errors leave through AllExceptionsFilter; query parameters are
 * validated by the global ValidationPipe.
 */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig, databaseUrl: string): DynamicModule {
    return {
      module: AppModule,
      controllers: [
        RootController,
        OpenApiController,
        ServicesController,
        ServiceAtLocationsController,
        OrganizationsController,
        TaxonomiesController,
        TaxonomyTermsController,
        HealthController,
      ],
      providers: [
        { provide: AppConfig, useValue: config },
        { provide: DATABASE_URL, useValue: databaseUrl },
        dataSourceProvider,
        DatabaseLifecycle,
        DataVersion,
        SeedIfEmpty,
        RecordReader,
        Lists,
        Endpoints,
        OpenApiHolder,
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
        { provide: APP_PIPE, useValue: queryValidation },
      ],
    };
  }
}

/** Unknown query parameters are ignored (whitelist strips them); bad values are a 400 naming them. */
const queryValidation = new ValidationPipe({
  transform: true,
  whitelist: true,
  forbidNonWhitelisted: false,
  stopAtFirstError: true,
  exceptionFactory: (errors: ValidationError[]) =>
    new BadRequestException(errors.flatMap((e) => Object.values(e.constraints ?? {})).join('; ')),
});
