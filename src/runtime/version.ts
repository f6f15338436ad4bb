// runtime/version — the package version, in one place (a test keeps it equal to package.json's).

/** This package's version, as in the `User-Agent` it sends from servers: `aui-messaging/<VERSION> <runtime>`. */
export const VERSION = '0.1.0';
