import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { FakeListChatModel } from '@langchain/core/utils/testing';
import { AzureChatOpenAI, ChatOpenAI } from '@langchain/openai';
import { InvalidInputError } from '../errors.ts';

/** Providers `TDM_LLM_PROVIDER` accepts. */
export const LLM_PROVIDERS = ['openai', 'azure-openai', 'ollama', 'fake'] as const;

/**
 * The chat model the decision graph, PII detection and the test-case analysis may consult, from the
 * environment. Returns `null` unless `TDM_LLM_PROVIDER` is set: the LLM is off by default and every
 * LLM path has a rule-based path.
 *
 * - `openai`: `ChatOpenAI`; `TDM_LLM_MODEL` (default `gpt-4o-mini`), `TDM_LLM_API_KEY` (or
 *   `OPENAI_API_KEY`), `TDM_LLM_BASE_URL` for any server speaking the OpenAI chat API.
 * - `azure-openai`: `AzureChatOpenAI`; `TDM_LLM_BASE_URL` (the resource endpoint), `TDM_LLM_MODEL`
 *   (the deployment), `TDM_LLM_API_KEY` (or `AZURE_OPENAI_API_KEY`), `TDM_LLM_API_VERSION`.
 * - `ollama`: Ollama's OpenAI-compatible endpoint; `TDM_LLM_BASE_URL` (default
 *   `http://127.0.0.1:11434`), `TDM_LLM_MODEL` (default `llama3.1`); no key.
 * - `fake`: answers with the JSON string array in `TDM_LLM_FAKE_RESPONSES`, in turn (offline demos).
 *
 * `TDM_LLM_TIMEOUT_MS` (default 30000) bounds each call. Nothing is downloaded.
 */
export function createChatModelFromEnv(env: NodeJS.ProcessEnv = process.env): BaseChatModel | null {
  const provider = env.TDM_LLM_PROVIDER?.trim().toLowerCase();
  if (!provider) return null;
  switch (provider) {
    case 'fake':
      return new FakeListChatModel({ responses: fakeResponses(env.TDM_LLM_FAKE_RESPONSES) });
    case 'openai':
      return new ChatOpenAI({
        model: env.TDM_LLM_MODEL?.trim() || 'gpt-4o-mini',
        apiKey: env.TDM_LLM_API_KEY ?? env.OPENAI_API_KEY ?? (env.TDM_LLM_BASE_URL ? 'not-needed' : undefined),
        temperature: 0,
        timeout: timeoutOf(env),
        maxRetries: 1,
        configuration: env.TDM_LLM_BASE_URL ? { baseURL: env.TDM_LLM_BASE_URL } : undefined,
      });
    case 'azure-openai': {
      const endpoint = env.TDM_LLM_BASE_URL ?? env.AZURE_OPENAI_ENDPOINT;
      const deployment = env.TDM_LLM_MODEL ?? env.AZURE_OPENAI_API_DEPLOYMENT_NAME;
      if (!endpoint || !deployment)
        throw new InvalidInputError('TDM_LLM_PROVIDER=azure-openai needs TDM_LLM_BASE_URL (the endpoint) and TDM_LLM_MODEL (the deployment)');
      return new AzureChatOpenAI({
        azureOpenAIEndpoint: endpoint,
        azureOpenAIApiDeploymentName: deployment,
        azureOpenAIApiKey: env.TDM_LLM_API_KEY ?? env.AZURE_OPENAI_API_KEY,
        azureOpenAIApiVersion: env.TDM_LLM_API_VERSION ?? '2024-10-21',
        temperature: 0,
        timeout: timeoutOf(env),
        maxRetries: 1,
      });
    }
    case 'ollama': {
      const base = (env.TDM_LLM_BASE_URL ?? 'http://127.0.0.1:11434').replace(/\/+$/, '');
      return new ChatOpenAI({
        model: env.TDM_LLM_MODEL?.trim() || 'llama3.1',
        apiKey: 'ollama',
        temperature: 0,
        timeout: timeoutOf(env),
        maxRetries: 1,
        configuration: { baseURL: base.endsWith('/v1') ? base : `${base}/v1` },
      });
    }
    default:
      throw new InvalidInputError(`TDM_LLM_PROVIDER=${JSON.stringify(provider)} is not supported; supported: ${LLM_PROVIDERS.join(', ')}`, {
        provider,
      });
  }
}

function timeoutOf(env: NodeJS.ProcessEnv): number {
  const ms = Number(env.TDM_LLM_TIMEOUT_MS);
  return Number.isFinite(ms) && ms > 0 ? ms : 30_000;
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
