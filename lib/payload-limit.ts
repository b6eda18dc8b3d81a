import { MAX_BODY_BYTES } from '../lambdas/shared/limits';

/**
 * A Content-Length value above MAX_BODY_BYTES (5,242,880), as the regular expression the WAF rule
 * matches the header with: any number of leading zeros, then 8 or more digits, or 7 digits above
 * 5242880 — spelled out digit by digit, since a regex cannot compare numbers. The group does not
 * capture: WAF refuses capturing subexpressions
 * (https://docs.aws.amazon.com/waf/latest/developerguide/waf-regex-pattern-support.html).
 */
export const CONTENT_LENGTH_OVER_LIMIT = '^0*(?:[1-9][0-9]{7,}|[6-9][0-9]{6}|5[3-9][0-9]{5}|52[5-9][0-9]{4}|524[3-9][0-9]{3}|5242[9][0-9]{2}|52428[9][0-9]|524288[1-9])$';

/** A Content-Length that is not a plain decimal number (API Gateway would refuse it anyway). */
export const CONTENT_LENGTH_NOT_A_NUMBER = '[^0-9]';

if (MAX_BODY_BYTES !== 5_242_880) throw new Error('CONTENT_LENGTH_OVER_LIMIT is written for 5,242,880 bytes; rewrite it for the new limit.');
