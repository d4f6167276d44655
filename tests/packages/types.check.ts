// Type-checked with `tsc --noEmit` against the installed packages: the public TypeScript
// surface must compile as partners use it.
import { ready, VERSION } from "@mirairo-id/sdk";

const version: string = VERSION;
const loaded: Promise<void> = ready();
void version;
void loaded;
