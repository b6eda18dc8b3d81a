/**
 * Whether `host` is covered by an httpHosts entry: `*.example.com` matches any subdomain of
 * example.com but not example.com itself; any other pattern matches exactly. Case-insensitive.
 * Shared by synth (static URLs) and the runtime (evaluated URLs, redirects) so both agree.
 */
export function hostMatches(pattern: string, host: string): boolean {
  const normalizedHost = host.toLowerCase();
  const normalizedPattern = pattern.toLowerCase();
  if (normalizedPattern.startsWith('*.')) return normalizedHost.endsWith(normalizedPattern.slice(1));
  return normalizedHost === normalizedPattern;
}
