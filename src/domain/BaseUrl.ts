/** `--base-url` (SPEC section 10): an http(s) URL with a host. Plain data: the send-events fast path checks it too. */
export const isBaseUrl = (text: string): boolean => /^https?:\/\/[^/\s]+/i.test(text)
