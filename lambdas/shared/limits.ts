/** 5 MiB: the largest request body an App API accepts, at the gateway (AWS and local) and in the handler. */
export const MAX_BODY_BYTES = 5 * 1024 * 1024;
