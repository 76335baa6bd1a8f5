import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { FakeListChatModel } from '@langchain/core/utils/testing';
import { InvalidInputError } from '../errors.ts';

/** Providers `TDM_LLM_PROVIDER` accepts. */
export const LLM_PROVIDERS = ['fake'] as const;

/**
 * The chat model the decision graph (and later PII detection) may consult, from the environment.
 * Returns `null` unless `TDM_LLM_PROVIDER` is set: the LLM is off by default and every LLM path has
 * a rule-based path. `fake` answers with the JSON string array in `TDM_LLM_FAKE_RESPONSES`, in turn,
 * for offline tests and demos.
 *
 * Real providers plug in here: add a case that builds the provider's LangChain chat model (for
 * example `ChatOpenAI` or `ChatOllama`) from its own variables (`TDM_LLM_MODEL`, an API key or base
 * URL). Nothing is downloaded; the provider's package is an explicit dependency.
 */
export function createChatModelFromEnv(env: NodeJS.ProcessEnv = process.env): BaseChatModel | null {
  const provider = env.TDM_LLM_PROVIDER?.trim().toLowerCase();
  if (!provider) return null;
  switch (provider) {
    case 'fake':
      return new FakeListChatModel({ responses: fakeResponses(env.TDM_LLM_FAKE_RESPONSES) });
    default:
      throw new InvalidInputError(`TDM_LLM_PROVIDER=${JSON.stringify(provider)} is not supported; supported: ${LLM_PROVIDERS.join(', ')}`, {
        provider,
      });
  }
}

function fakeResponses(raw: string | undefined): string[] {
  if (!raw) throw new InvalidInputError('TDM_LLM_PROVIDER=fake needs TDM_LLM_FAKE_RESPONSES: a JSON array of response strings');
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new InvalidInputError('TDM_LLM_FAKE_RESPONSES is not valid JSON: expected an array of strings');
  }
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'string')) {
    throw new InvalidInputError('TDM_LLM_FAKE_RESPONSES must be a non-empty JSON array of strings');
  }
  return value;
}
