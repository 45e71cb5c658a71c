import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { type ApiRoute, type RouteId, routeList } from '../../lambdas/shared/routes.ts';

/** A route of the public API and the throttle API Gateway applies to it (requests per second, burst). */
export interface Route extends ApiRoute {
  rate: number;
  burst: number;
}

/**
 * Every public route (docs/operating.md: the OAuth, "sync now" and notification routes). The functions rate-limit per IP,
 * per subscriber and per host key themselves; these throttles cap what reaches them at all, shared by every
 * caller. The routes the host's server calls are sized for its limits with 1,000,000 subscribers (docs/operating.md,
 * "Rate limits"): status 500/s, "sync now" 100/s, disconnect 50/s and notify 100/s from the host, plus room for
 * browsers and unsigned callers.
 */
const THROTTLES: Record<RouteId, { rate: number; burst: number }> = {
  startFromQuery: { rate: 10, burst: 20 },
  startFromForm: { rate: 10, burst: 20 },
  callback: { rate: 10, burst: 20 },
  disconnect: { rate: 60, burst: 120 },
  status: { rate: 600, burst: 1200 },
  syncNow: { rate: 120, burst: 240 },
  notify: { rate: 120, burst: 240 },
};
/** The route table (lambdas/shared/routes.ts) with each route's throttle. */
export const ROUTES: readonly Route[] = routeList().map((route) => ({ ...route, ...THROTTLES[route.id] }));

/** The stage's own ceiling: the sum of the routes (930/s), rounded up. */
export const STAGE_THROTTLE = { rate: 1000, burst: 2000 };

/**
 * Requests one IP may make to `/api/` in five minutes before WAF blocks it (WAF's minimum is 10), unless they
 * carry the host's signature header.
 */
export const WAF_RATE_LIMIT_PER_5_MINUTES = 300;
/**
 * The same for requests carrying `X-Signature` to the routes the host's servers call (status, sync now,
 * disconnect, notify). WAF cannot check the signature, so anyone can add the header: this higher limit still
 * bounds one IP at 400 a second, below the stage's ceiling (1,000/s) and the status route's (600/s), so a forged
 * header cannot take the whole API; the functions refuse a bad signature and count it against the IP. A host
 * spreads its calls over a few servers.
 */
export const WAF_SIGNED_RATE_LIMIT_PER_5_MINUTES = 120_000;
/** The routes the host's servers call, the only ones where the signature header loosens the WAF's rule. */
export const HOST_ROUTE_SUFFIXES: readonly string[] = [
  ...new Set(ROUTES.filter((route) => route.hostSigned).map((route) => route.path)),
];
/** The header whose presence marks a request as the host's (lower case, as WAF matches header names). */
export const HOST_SIGNATURE_HEADER = 'x-signature';

export interface ApiProps {
  stageName: string;
  functions: Record<Route['function'], lambda.IFunction>;
  waf: boolean;
  /** CIDRs of the host's servers: WAF's per-IP rules do not count them (docs/operating.md, "Signed requests from the host"). */
  hostIpAllowList?: readonly string[];
  logRetention: logs.RetentionDays;
  removalPolicy: RemovalPolicy;
}

/**
 * The REST API (LocalStack's community edition serves REST APIs, not HTTP APIs; REST APIs also have method
 * throttling and WAF). Access logs carry no query strings, and data tracing stays off: requests hold feed
 * tokens and OAuth codes.
 */
export class Api extends Construct {
  readonly restApi: apigateway.RestApi;
  readonly webAcl?: wafv2.CfnWebACL;
  private readonly stageName: string;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    this.stageName = props.stageName;
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    this.restApi = new apigateway.RestApi(this, 'RestApi', {
      description: 'ICS -> Google Calendar sync: OAuth, sync now, change notifications',
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      cloudWatchRole: true,
      // The role is the region's one API Gateway logging setting (AWS::ApiGateway::Account), shared by every
      // REST API of the account: destroying a dev stage must not switch execution logging off for all of them.
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName: props.stageName,
        throttlingRateLimit: STAGE_THROTTLE.rate,
        throttlingBurstLimit: STAGE_THROTTLE.burst,
        accessLogDestination: new apigateway.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigateway.AccessLogFormat.jsonWithStandardFields({
          caller: false,
          httpMethod: true,
          ip: true,
          protocol: true,
          requestTime: true,
          resourcePath: true,
          responseLength: true,
          status: true,
          user: false,
        }),
        loggingLevel: apigateway.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        metricsEnabled: true,
        methodOptions: Object.fromEntries(
          ROUTES.map((route) => [
            `${route.path}/${route.method}`,
            { throttlingRateLimit: route.rate, throttlingBurstLimit: route.burst },
          ]),
        ),
      },
    });
    const integrations = {
      oauth: new apigateway.LambdaIntegration(props.functions.oauth, { proxy: true }),
      notify: new apigateway.LambdaIntegration(props.functions.notify, { proxy: true }),
    };
    for (const route of ROUTES) {
      this.restApi.root.resourceForPath(route.path).addMethod(route.method, integrations[route.function]);
    }

    if (!props.waf) {
      Validations.of(this.restApi).acknowledge({
        id: 'AwsSolutions-APIG3',
        reason:
          'WAF is off by configuration (waf=false; the default only on LocalStack, which has no WAFv2). Stage and method throttles and the per-IP limits of the functions remain.',
      });
    } else {
      // The host's servers, when listed, are left out of both per-IP counts (they call for every subscriber).
      const fromHost = hostAddresses(this, props.hostIpAllowList ?? []);
      const notFromHost = fromHost ? [{ notStatement: { statement: fromHost } }] : [];
      this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
        scope: 'REGIONAL',
        defaultAction: { allow: {} },
        visibilityConfig: visibility('IcsGoogleSyncApi'),
        rules: [
          {
            name: 'RatePerIpOnApi',
            priority: 0,
            action: { block: {} },
            visibilityConfig: visibility('RatePerIpOnApi'),
            statement: {
              rateBasedStatement: {
                aggregateKeyType: 'IP',
                limit: WAF_RATE_LIMIT_PER_5_MINUTES,
                evaluationWindowSec: 300,
                scopeDownStatement: {
                  andStatement: {
                    statements: [onApi, { notStatement: { statement: hostCall } }, ...notFromHost],
                  },
                },
              },
            },
          },
          {
            name: 'RatePerIpOnApiSigned',
            priority: 1,
            action: { block: {} },
            visibilityConfig: visibility('RatePerIpOnApiSigned'),
            statement: {
              rateBasedStatement: {
                aggregateKeyType: 'IP',
                limit: WAF_SIGNED_RATE_LIMIT_PER_5_MINUTES,
                evaluationWindowSec: 300,
                scopeDownStatement: { andStatement: { statements: [onApi, hostCall, ...notFromHost] } },
              },
            },
          },
        ],
      });
      new wafv2.CfnWebACLAssociation(this, 'WebAclAssociation', {
        resourceArn: this.restApi.deploymentStage.stageArn,
        webAclArn: this.webAcl.attrArn,
      });
    }
  }

  /**
   * The public URL of the stage, without a trailing slash. Built from the API's id and the stage's name, never
   * from the stage resource: the stage depends on the functions, so a function naming it would be a cycle.
   */
  stageUrl(): string {
    const stack = Stack.of(this);
    return `https://${this.restApi.restApiId}.execute-api.${stack.region}.${stack.urlSuffix}/${this.stageName}`;
  }
}

/** A statement matching requests from the listed CIDRs (one IP set per address family); none without any. */
function hostAddresses(scope: Construct, cidrs: readonly string[]): object | undefined {
  const families = (['IPV4', 'IPV6'] as const)
    .map((version) => ({
      version,
      addresses: cidrs.filter((cidr) => cidr.includes(':') === (version === 'IPV6')),
    }))
    .filter(({ addresses }) => addresses.length > 0);
  const references = families.map(({ version, addresses }) => ({
    ipSetReferenceStatement: {
      arn: new wafv2.CfnIPSet(scope, `HostAddresses${version}`, {
        scope: 'REGIONAL',
        ipAddressVersion: version,
        addresses: [...addresses],
        description: 'Servers of the host, not counted by the per-IP rate rules',
      }).attrArn,
    },
  }));
  if (references.length === 0) return undefined;
  return references.length === 1 ? references[0] : { orStatement: { statements: references } };
}

/** A request to `/api/`. */
const onApi = {
  byteMatchStatement: {
    fieldToMatch: { uriPath: {} },
    positionalConstraint: 'CONTAINS',
    searchString: '/api/',
    textTransformations: [{ priority: 0, type: 'NONE' }],
  },
};

/** A request that carries the host's signature header (present, whatever its value: WAF cannot verify it). */
const hostSigned = {
  sizeConstraintStatement: {
    fieldToMatch: { singleHeader: { Name: HOST_SIGNATURE_HEADER } },
    comparisonOperator: 'GT',
    size: 0,
    textTransformations: [{ priority: 0, type: 'NONE' }],
  },
};

/** A request to one of the host's routes (the stage name comes before the path). */
const onHostRoute = {
  orStatement: {
    statements: HOST_ROUTE_SUFFIXES.map((suffix) => ({
      byteMatchStatement: {
        fieldToMatch: { uriPath: {} },
        positionalConstraint: 'ENDS_WITH',
        searchString: suffix,
        textTransformations: [{ priority: 0, type: 'NONE' }],
      },
    })),
  },
};

/** What looks like the host's call: its signature header on one of its routes. */
const hostCall = { andStatement: { statements: [hostSigned, onHostRoute] } };

const visibility = (metricName: string) => ({
  cloudWatchMetricsEnabled: true,
  sampledRequestsEnabled: false,
  metricName,
});
