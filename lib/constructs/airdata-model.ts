import { Lazy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { fitName, qualifiedName } from '../scoped-names';
import { ApiApp } from './api-app';
import type { FieldManifest, IndexManifest, ModelManifest } from '../../lambdas/shared/manifest';
import { createDataTable } from './data-table';
import { kebabCase, requireEnvironment } from './environment-context';
import { KEY_ATTRIBUTE_TYPES } from './fields';

export interface AirDataIndexProps {
  /** A declared text, email, phone, url, datetime, number or integer field. */
  readonly partitionKey: string;
  /** @default - no sort key */
  readonly sortKey?: string;
}

export interface AirDataModelProps {
  /** The record's fields, built with `field.*`. `id` is generated and must not be declared. */
  readonly fields: { readonly [name: string]: FieldManifest };
  /**
   * Secondary indexes: `airdata.query` uses one when its filter has an equality on the partition key.
   * @default - none: queries scan
   */
  readonly indexes?: { readonly [name: string]: AirDataIndexProps };
  /**
   * The name chains use to refer to the model, scoped by its app: chains of the same app write
   * `'Customers'`, chains of another app `'booking.Customers'` (see {@link AirDataModel.fromApp}).
   * @default - the construct id
   */
  readonly modelName?: string;
  /**
   * The table's name after `<prefix>-<env>-`. Set it when renaming a model, so the model keeps the
   * table (and the records) it was deployed with: a new name would make CloudFormation replace the
   * table. See README, "Changing a model safely".
   * @default - the model name in kebab-case, e.g. `customer-notes`; when another app of the
   * environment declares a model of the same name, the app's name first (`shop-customer-notes`),
   * unless appapi.lock.json records this model's table as deployed under the bare name
   */
  readonly tableName?: string;
}

const NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
/** What DynamoDB accepts in a table name, less upper case (physical names here are lower-case). */
const TABLE_SUFFIX = /^[a-z0-9][a-z0-9._-]*$/;
const MAX_TABLE_NAME = 255;
const MAX_INDEXES = 20;

/**
 * A declared record type, stored in its own DynamoDB table named `<prefix>-<env>-<model>`
 * (`<prefix>-<env>-<app>-<model>` when another app declares a model of the same name).
 *
 * @example
 * const customers = new AirDataModel(this, 'Customers', {
 *   fields: { name: field.text(), email: field.email({ unique: true }) },
 *   indexes: { byEmail: { partitionKey: 'email' } },
 * });
 */
export class AirDataModel extends Construct {
  /**
   * A reference to a model another app declares, for chains of `scope`'s app: sharing is explicit,
   * and the handlers using it get exactly the access their chains need to that table. Synth fails,
   * listing the app's models, when `appName` declares no model `modelName`.
   *
   * @example
   * const customers = AirDataModel.fromApp(shop, 'booking', 'Customers');
   * op.airdata.get(customers, { id: '{% $params.customerId %}', as: 'customer' });
   */
  static fromApp(scope: Construct, appName: string, modelName: string): ModelReferenceByName {
    if (!ApiApp.of(scope)) throw new Error(`AirDataModel.fromApp(…, '${appName}', '${modelName}'): the scope is not inside an ApiApp; pass the app whose chains use the model.`);
    return { modelName: qualifiedName(appName, modelName) };
  }

  readonly modelName: string;
  readonly table: dynamodb.Table;
  /** The declaring app; undefined for a model declared outside any app, which every app may use by its name. */
  readonly app: ApiApp | undefined;
  /** How chains refer to this model from anywhere in the environment: `booking.Customers`. */
  readonly modelReference: string;
  private described: ModelManifest;
  private readonly defaultTableSuffix: string | undefined;
  private readonly namePrefix: string;

  constructor(scope: Construct, id: string, props: AirDataModelProps) {
    super(scope, id);
    const environment = requireEnvironment(this, 'AirDataModel');
    this.modelName = props.modelName ?? id;
    this.app = ApiApp.of(this);
    this.modelReference = qualifiedName(this.app?.appName, this.modelName);
    const where = `AirDataModel "${this.modelName}"`;
    if (!NAME.test(this.modelName)) {
      throw new Error(`${where}: the model name must start with a letter and contain only letters, digits and underscores.`);
    }
    const fieldEntries = Object.entries(props.fields ?? {});
    if (fieldEntries.length === 0) throw new Error(`${where}: declare at least one field, e.g. fields: { name: field.text() }.`);
    for (const [name, definition] of fieldEntries) {
      if (name === 'id') throw new Error(`${where}: "id" is generated for every record; remove it from fields.`);
      if (!NAME.test(name)) throw new Error(`${where}: field name "${name}" must start with a letter and contain only letters, digits and underscores.`);
      if (definition.unique && !KEY_ATTRIBUTE_TYPES[definition.type]) {
        throw new Error(`${where}: field "${name}" is ${definition.type} and cannot be unique; only text, email, phone, url, datetime, number and integer fields can.`);
      }
    }
    const indexes = Object.entries(props.indexes ?? {});
    if (indexes.length > MAX_INDEXES) throw new Error(`${where}: ${indexes.length} indexes declared; DynamoDB allows ${MAX_INDEXES} per table.`);
    const keyType = (indexName: string, fieldName: string): dynamodb.AttributeType => {
      const definition = props.fields[fieldName];
      if (!definition) {
        throw new Error(`${where}: index "${indexName}" is keyed on "${fieldName}", which is not a declared field (fields: ${Object.keys(props.fields).join(', ')}).`);
      }
      const attributeType = KEY_ATTRIBUTE_TYPES[definition.type];
      if (!attributeType) throw new Error(`${where}: index "${indexName}" is keyed on ${definition.type} field "${fieldName}"; key an index on a text, number or date field.`);
      return attributeType === 'N' ? dynamodb.AttributeType.NUMBER : dynamodb.AttributeType.STRING;
    };

    if (props.tableName !== undefined && !TABLE_SUFFIX.test(props.tableName)) {
      throw new Error(`${where}: tableName "${props.tableName}" must be lower-case letters, digits, ".", "_" and "-", starting with a letter or digit; it is the part after "${environment.resourcePrefix}-${environment.environmentName}-", e.g. tableName: 'customers'.`);
    }
    this.namePrefix = `${environment.resourcePrefix}-${environment.environmentName}-`;
    this.defaultTableSuffix = props.tableName === undefined ? kebabCase(this.modelName) : undefined;
    const tableName = `${this.namePrefix}${props.tableName ?? kebabCase(this.modelName)}`;
    if (tableName.length > MAX_TABLE_NAME) throw new Error(`${where}: table name "${tableName}" is ${tableName.length} characters; DynamoDB allows ${MAX_TABLE_NAME}. Choose a shorter tableName.`);
    this.table = createDataTable(this, 'Table', environment, {
      // decided once every app is declared (see bindKey): a scoped model's name has its app in it
      tableName: Lazy.string({ produce: () => this.described.table }),
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
    });
    const indexManifests: Record<string, IndexManifest> = {};
    for (const [indexName, index] of indexes) {
      if (!NAME.test(indexName)) throw new Error(`${where}: index name "${indexName}" must start with a letter and contain only letters, digits and underscores.`);
      this.table.addGlobalSecondaryIndex({
        indexName,
        partitionKey: { name: index.partitionKey, type: keyType(indexName, index.partitionKey) },
        ...(index.sortKey ? { sortKey: { name: index.sortKey, type: keyType(indexName, index.sortKey) } } : {}),
        projectionType: dynamodb.ProjectionType.ALL,
      });
      indexManifests[indexName] = { partitionKey: index.partitionKey, ...(index.sortKey ? { sortKey: index.sortKey } : {}) };
    }
    this.described = {
      name: this.modelName,
      ...(this.app ? { app: this.app.appName } : {}),
      table: tableName,
      fields: Object.fromEntries(fieldEntries),
      indexes: indexManifests,
    };
  }

  private key: string | undefined;

  /**
   * Unique in the environment: the model's key in the manifest, `Customers`, or `shop.Customers`
   * when another app declares a model of the same name (see lib/scoped-names.ts).
   */
  get manifestKey(): string {
    return this.key ?? this.modelName;
  }

  /** The model as the manifest describes it. */
  get manifest(): ModelManifest {
    return this.described;
  }

  /**
   * Called by the environment once every app is declared, with the model's environment-wide key:
   * a scoped key (`shop.Customers`) puts the app's name in a default table name, fitted within
   * DynamoDB's 255 characters by a hash when long. An explicit tableName is kept as given.
   */
  bindKey(key: string): void {
    this.key = key;
    if (this.defaultTableSuffix === undefined || key === this.modelName || !this.app) return;
    const table = fitName(`${this.namePrefix}${this.app.appName}-${this.defaultTableSuffix}`, MAX_TABLE_NAME);
    this.described = { ...this.described, table };
  }
}

/** A model named across apps, `booking.Customers`: what {@link AirDataModel.fromApp} returns. */
export interface ModelReferenceByName {
  readonly modelName: string;
}
