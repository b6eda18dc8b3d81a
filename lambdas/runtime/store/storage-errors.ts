import { unavailableProblem } from '../dynamodb';

/** Runs one DynamoDB call; a failure worth retrying later becomes 503 + Retry-After. */
export async function withStorage<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw unavailableProblem(error) ?? error;
  }
}
