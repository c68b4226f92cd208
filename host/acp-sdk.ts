/**
 * The ACP SDK, loaded by the first agent a host starts: a host serving only terminals never pays for it
 * (~7 MiB of RSS, issue #14's memory budget). Modules use its values only once an agent runs.
 */
import { importPackage } from './package-import.js';

type AcpSdk = typeof import('@agentclientprotocol/sdk');

let sdk: AcpSdk | null = null;

/** Loads the SDK (once); every agent's start awaits this first. */
export async function loadAcpSdk(): Promise<AcpSdk> {
  sdk ??= await importPackage<AcpSdk>('@agentclientprotocol/sdk');
  return sdk;
}

/** The SDK, for code that runs only while an agent runs (after loadAcpSdk()). */
export function acpSdk(): AcpSdk {
  if (!sdk) throw new Error('the ACP SDK is used before an agent started');
  return sdk;
}
