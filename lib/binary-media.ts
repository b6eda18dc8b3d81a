/**
 * Request content types API Gateway passes to the handler base64-encoded (`isBase64Encoded`), in
 * AWS (the REST API's binaryMediaTypes) and locally alike. Everything else arrives as text.
 */
export const BINARY_MEDIA_TYPES = ['application/octet-stream', 'application/pdf', 'application/zip', 'image/*', 'audio/*', 'video/*', 'multipart/form-data'] as const;

/** Whether API Gateway base64-encodes a body of this Content-Type, given the API's binary media types. */
export function isBinaryMediaType(contentType: string | undefined, binaryMediaTypes: readonly string[] = BINARY_MEDIA_TYPES): boolean {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === '') return false;
  return binaryMediaTypes.some((pattern) => (pattern.endsWith('/*') ? type.startsWith(pattern.slice(0, -1)) : type === pattern));
}
