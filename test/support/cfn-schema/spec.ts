import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';

// The shapes this checker reads from @aws-cdk/aws-service-spec's db.json.gz (the CloudFormation
// registry schemas with the CDK team's patches, loaded with @cdklabs/tskb). Declared here, as a
// subset of @aws-cdk/service-spec-types, so the checker depends on the data, not on that package.

export type SpecType =
  | { readonly type: 'string'; readonly allowedValues?: readonly string[] }
  | { readonly type: 'integer'; readonly allowedValues?: readonly number[] }
  | { readonly type: 'number' | 'boolean' | 'json' | 'date-time' | 'null' | 'tag' }
  | { readonly type: 'ref'; readonly reference: { readonly $ref: string } }
  | { readonly type: 'array' | 'map'; readonly element: SpecType }
  | { readonly type: 'union'; readonly types: readonly SpecType[] };

export interface SpecProperty {
  readonly type: SpecType;
  /** Earlier types of the property, which CloudFormation still accepts. */
  readonly previousTypes?: readonly SpecType[];
  readonly required?: boolean;
}

export interface SpecResource {
  readonly cloudFormationType: string;
  readonly properties: Readonly<Record<string, SpecProperty>>;
  /** Fn::GetAtt names; nested ones are spelled with a dot, e.g. `Endpoint.Address`. */
  readonly attributes: Readonly<Record<string, { readonly type: SpecType }>>;
}

export interface SpecTypeDefinition {
  readonly name: string;
  readonly properties: Readonly<Record<string, SpecProperty>>;
}

/** The CloudFormation resource specification, queried by type name and definition id. */
export class CfnSpec {
  private static loaded?: CfnSpec;

  /** Loads the database once per process (about a second: it is a 2.6 MB gzip of JSON). */
  static load(): CfnSpec {
    CfnSpec.loaded ??= new CfnSpec(loadAwsServiceSpecSync());
    return CfnSpec.loaded;
  }

  private constructor(private readonly db: ReturnType<typeof loadAwsServiceSpecSync>) {}

  resource(cloudFormationType: string): SpecResource | undefined {
    return this.db.lookup('resource', 'cloudFormationType', 'equals', cloudFormationType)[0] as SpecResource | undefined;
  }

  typeDefinition(id: string): SpecTypeDefinition {
    return this.db.get('typeDefinition', id) as SpecTypeDefinition;
  }
}
