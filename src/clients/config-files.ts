import { readFile } from 'node:fs/promises';
import { GuardError } from '../errors.js';
import type { ConfigDocument } from './config-document.js';
import { parseJsonDocument } from './json-document.js';
import { type ClientEnvironment, type ClientId, type ConfigLocation, configLocations } from './registry.js';
import { parseTomlDocument } from './toml-document.js';

/** A config file that exists: its text, and its servers, or why they could not be read. */
export interface FoundConfig {
  location: ConfigLocation;
  text: string;
  document?: ConfigDocument;
  /** Why the file could not be read or parsed. */
  error?: GuardError;
}

/** Parses a config file's text in its format. Throws CONFIG_UNREADABLE with a position when it does not parse. */
export function parseConfig(text: string, location: ConfigLocation): ConfigDocument {
  return location.format === 'toml' ? parseTomlDocument(text, location) : parseJsonDocument(text, location);
}

/** Reads every client config file that exists (of one client, or all), in the registry's order. */
export async function readConfigs(environment: ClientEnvironment, client?: ClientId): Promise<{ found: FoundConfig[]; searched: ConfigLocation[] }> {
  const searched = configLocations(environment, client);
  const found: FoundConfig[] = [];
  for (const location of searched) {
    let text: string;
    try {
      text = await readFile(location.file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') continue;
      found.push({ location, text: '', error: new GuardError('CONFIG_UNREADABLE', `cannot read ${location.file}: ${code === 'EACCES' ? 'permission denied' : (error as Error).message}`) });
      continue;
    }
    try {
      found.push({ location, text, document: parseConfig(text, location) });
    } catch (error) {
      if (!(error instanceof GuardError)) throw error;
      found.push({ location, text, error });
    }
  }
  return { found, searched };
}
