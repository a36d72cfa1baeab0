import type { CompiledPolicy } from './compile.js';
import type { Direction } from './decide.js';
import { type DecisionName, simulate, SimulatedCounters, type SimulatedMessage } from './simulate.js';
import type { ExpectedDecision, PolicyTestCase } from './types.js';

/**
 * `mcp-guard test` (SPEC §10): runs a list of test cases against a compiled policy, in order, on
 * one set of in-memory counters and a virtual clock that starts at 0 s and moves only when a
 * case says `at`. Pure: the cases are assumed valid (lint checks them first).
 */

/** What one case got. */
export interface CaseResult {
  /** Position in its list. */
  index: number;
  /** The case's name, or the message it judges in words. */
  name: string;
  passed: boolean;
  expect: ExpectedDecision;
  /** The rule the case expects, when it names one. */
  rule?: string;
  actual: { decision: DecisionName; rule: string; reason?: string; retryAfterSeconds?: number };
  /** Which call `actual` is: the first of the case's calls that did not get what was expected, else the last. */
  call: number;
  calls: number;
  /** Seconds on the virtual clock when the case ran. */
  at: number;
}

/** Server→client requests: judged in that direction (the `methods` rules apply to both alike). */
const SERVER_TO_CLIENT = new Set(['sampling/createMessage', 'elicitation/create', 'roots/list']);

/** Runs the cases in order; counters and clock carry over from one case to the next. */
export function runTestCases(policy: CompiledPolicy, cases: readonly PolicyTestCase[]): CaseResult[] {
  const counters = new SimulatedCounters();
  let clock = 0;
  return cases.map((testCase, index) => {
    if (testCase.at !== undefined) clock = Math.max(clock, testCase.at);
    const message = messageOf(testCase);
    const calls = testCase.repeat ?? 1;
    let reported: CaseResult['actual'] | undefined;
    let call = 0;
    let passed = true;
    while (call < calls) {
      call++;
      const { decision, name } = simulate(policy, message, counters, clock * 1000);
      const actual = {
        decision: name,
        rule: decision.rule,
        ...(decision.outcome !== 'allow' && decision.reason !== undefined ? { reason: decision.reason } : {}),
        ...(decision.outcome === 'refuse' && decision.retryAfterSeconds !== undefined ? { retryAfterSeconds: decision.retryAfterSeconds } : {}),
      };
      reported = actual;
      if (name !== testCase.expect || (testCase.rule !== undefined && decision.rule !== testCase.rule)) {
        passed = false;
        break;
      }
    }
    return {
      index,
      name: testCase.name ?? describeCase(testCase),
      passed,
      expect: testCase.expect,
      ...(testCase.rule !== undefined ? { rule: testCase.rule } : {}),
      actual: reported!,
      call,
      calls,
      at: clock,
    };
  });
}

/** The message a case judges. */
export function messageOf(testCase: PolicyTestCase): SimulatedMessage {
  if (testCase.call !== undefined) {
    const call = typeof testCase.call === 'string' ? { tool: testCase.call } : testCase.call;
    return { method: 'tools/call', params: { name: call.tool, arguments: call.arguments ?? {} } };
  }
  if (testCase.resource !== undefined) return { method: 'resources/read', params: { uri: testCase.resource } };
  if (testCase.prompt !== undefined) {
    const prompt = typeof testCase.prompt === 'string' ? { name: testCase.prompt } : testCase.prompt;
    return { method: 'prompts/get', params: { name: prompt.name, ...(prompt.arguments ? { arguments: prompt.arguments } : {}) } };
  }
  const method = testCase.method ?? '';
  const direction: Direction = SERVER_TO_CLIENT.has(method) ? 'server→client' : 'client→server';
  return { method, direction };
}

/** A case in words, when it has no name: `read_file {"path":"/tmp/a"}`, `resource file:///x`. */
export function describeCase(testCase: PolicyTestCase): string {
  const withArgs = (name: string, args: Record<string, unknown> | undefined) => {
    if (!args || Object.keys(args).length === 0) return name;
    const json = JSON.stringify(args);
    return `${name} ${json.length > 60 ? `${json.slice(0, 57)}...` : json}`;
  };
  if (testCase.call !== undefined) return typeof testCase.call === 'string' ? testCase.call : withArgs(testCase.call.tool, testCase.call.arguments);
  if (testCase.resource !== undefined) return `resource ${testCase.resource}`;
  if (testCase.prompt !== undefined) return `prompt ${typeof testCase.prompt === 'string' ? testCase.prompt : withArgs(testCase.prompt.name, testCase.prompt.arguments)}`;
  return `method ${testCase.method ?? ''}`;
}
