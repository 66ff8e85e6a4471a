/** `--base-url` (SPEC section 10): an http(s) URL with a host. */
export const isBaseUrl = (text: string): boolean => /^https?:\/\/[^/\s]+/i.test(text)
