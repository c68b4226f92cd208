/**
 * Questions an agent asks during a turn (ACP elicitation/create, form and URL modes): each becomes a
 * question card on every device; the first answer the host applies wins (the others are told who
 * answered), an answer that does not fit the form is refused before it reaches the agent, and every
 * open question is cancelled when the turn stops or the agent ends.
 */
import type { CreateElicitationRequest, CreateElicitationResponse } from '@agentclientprotocol/sdk';
import { acpSdk } from './acp-sdk.js';
import { readEntry } from '../protocol/conversation-doc.js';
import { answerProblem, type AnswerValue, type QuestionAction, type QuestionField } from '../protocol/agent-question.js';
import { TetherError } from '../protocol/errors.js';
import { clean, toQuestionFields } from './acp-offer.js';
import type { ConversationWriter } from './conversation-writer.js';

/** Who answered. */
export interface Answerer {
  name: string;
  deviceId: string | null;
}

interface Pending {
  mode: 'form' | 'url';
  fields: QuestionField[];
  elicitationId: string | null;
  resolve: (response: CreateElicitationResponse) => void;
}

/** The open questions of one conversation. */
export class ConversationQuestions {
  private readonly pending = new Map<string, Pending>();

  /** `changed` runs whenever a question opens or closes (the session's status follows). */
  constructor(
    private readonly writer: ConversationWriter,
    private readonly changed: () => void,
  ) {}

  /** How many questions wait for an answer. */
  get open(): number {
    return this.pending.size;
  }

  /** Shows the agent's question; resolves with the first answer applied (or cancel). */
  ask(request: CreateElicitationRequest, signal: AbortSignal): Promise<CreateElicitationResponse> {
    let kind: 'form' | 'url';
    let fields: QuestionField[] = [];
    let url: string | null = null;
    let elicitationId: string | null = null;
    if (acpSdk().CreateElicitationRequest.isForm(request)) {
      kind = 'form';
      const read = toQuestionFields(request.requestedSchema);
      if ('problem' in read) {
        this.writer.addNotice('error', `The agent asked a question tether cannot show (${read.problem}); it was declined.`);
        return Promise.resolve({ action: 'decline' });
      }
      fields = read;
    } else if (acpSdk().CreateElicitationRequest.isUrl(request)) {
      kind = 'url';
      // Only web pages: a page never turns another scheme into a link.
      if (!/^https?:\/\//i.test(request.url)) {
        this.writer.addNotice('error', 'The agent asked to open a link that is not a web page; it was declined.');
        return Promise.resolve({ action: 'decline' });
      }
      url = clean(request.url, 4000);
      elicitationId = request.elicitationId;
    } else {
      // A mode this client does not know: ACP says decline.
      return Promise.resolve({ action: 'decline' });
    }
    const requestId = this.writer.addQuestion({ mode: kind, message: clean(request.message), fields, url });
    return new Promise((resolve) => {
      this.pending.set(requestId, { mode: kind, fields, elicitationId, resolve });
      this.changed();
      signal.addEventListener('abort', () => this.cancel(requestId, { name: 'agent', deviceId: null }), { once: true });
    });
  }

  /** Applies an answer from a device or the host's terminal; returns the refusal, or null. */
  answer(requestId: string, action: QuestionAction, content: Record<string, AnswerValue> | undefined, by: Answerer): TetherError | null {
    const entry = this.writer.question(requestId);
    if (!entry) return new TetherError('QUESTION_UNKNOWN');
    const pending = this.pending.get(requestId);
    if (!pending) {
      const read = readEntry(entry);
      const answer = read.type === 'question' ? read.answer : null;
      return new TetherError('QUESTION_ANSWERED', answer ? `already answered by ${answer.by} (${answer.action})` : undefined);
    }
    let accepted: Record<string, AnswerValue> | null = null;
    if (action === 'accept' && pending.mode === 'form') {
      accepted = content ?? {};
      const problem = answerProblem(pending.fields, accepted);
      if (problem) return new TetherError('ANSWER_INVALID', problem);
    } else if (content !== undefined && Object.keys(content).length > 0) {
      return new TetherError('ANSWER_INVALID', 'only an accepted form answer carries content');
    }
    this.pending.delete(requestId);
    this.writer.resolveQuestion(requestId, 'answered', { action, content: accepted, by: by.name, byDeviceId: by.deviceId, at: Date.now() });
    pending.resolve(action === 'accept' ? { action, ...(accepted ? { content: accepted } : {}) } : { action });
    this.changed();
    return null;
  }

  /** The URL step of a question finished (elicitation/complete): it needs no answer any more. */
  completed(elicitationId: string): void {
    for (const [requestId, p] of this.pending) {
      if (p.elicitationId !== elicitationId) continue;
      this.pending.delete(requestId);
      this.writer.resolveQuestion(requestId, 'answered', { action: 'accept', content: null, by: 'agent', byDeviceId: null, at: Date.now() });
      p.resolve({ action: 'accept' });
      this.changed();
    }
  }

  /** Cancels every open question (the turn stopped, or the agent ended). */
  cancelAll(by: Answerer): void {
    for (const requestId of [...this.pending.keys()]) this.cancel(requestId, by);
  }

  private cancel(requestId: string, by: Answerer): void {
    const p = this.pending.get(requestId);
    if (!p) return;
    this.pending.delete(requestId);
    this.writer.resolveQuestion(requestId, 'cancelled', { action: 'cancel', content: null, by: by.name, byDeviceId: by.deviceId, at: Date.now() });
    p.resolve({ action: 'cancel' });
    this.changed();
  }
}
