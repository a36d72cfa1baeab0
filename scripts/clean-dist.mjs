#!/usr/bin/env node
// Removes dist/ before `npm pack` builds it again (prepack), so that a tarball never carries
// compiled files whose sources are gone.
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

rmSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'dist'), { recursive: true, force: true });
