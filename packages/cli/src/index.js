// The pieces of the `rolegate` CLI, for tests and for embedding.
export { main } from './main.js';
export { EXIT, CliError, brokerError } from './errors.js';
export { applyProfiles, profilesFor, lineDiff, parseSections, shellQuote, checkRegion, safeEndpointUrl, MANAGED_MARKER } from './aws-config.js';
export { cacheFile, isFresh, readCached, writeCached, REFRESH_BEFORE_MS } from './cache.js';
export { parseDuration, formatDuration, checkDuration } from './duration.js';
export { assignment, envBlock, defaultShell, SHELLS } from './shell-env.js';
export { configDir, awsConfigFile, writeSecretJson, modeOf } from './files.js';
export { brokerUrl } from './broker.js';
export { pkcePair, stateMatches } from './login.js';
export { loadSession, saveSession, requireSession, deleteLocalState, sessionFile, cacheDir } from './session.js';
