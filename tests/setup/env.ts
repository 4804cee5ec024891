import { inject } from "vitest";

// Give in-process code (repositories, services under test) the same environment as the server and worker.
const env = inject("stackEnv");
if (env) for (const [k, v] of Object.entries(env)) process.env[k] = v;
