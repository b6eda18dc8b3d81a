// The gateway's problems are shipped to Lambda too (the fallback function answers 404/405 with them).
export * from '../lambdas/shared/gateway-problems';
