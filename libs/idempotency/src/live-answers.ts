/** The head of an answer: its status and the headers a replay gives again. */
export interface AnswerHead {
  status: number;
  headers: Record<string, string>;
}

interface Follower {
  head: (head: AnswerHead) => void;
  chunk: (chunk: Buffer) => void;
  end: () => void;
}

/**
 * The answer being written for one key on this instance, as it is written: a duplicate that comes
 * meanwhile is given what was written so far and then follows the rest live (a stream included).
 */
export class LiveAnswer {
  head: AnswerHead | null = null;
  readonly chunks: Buffer[] = [];
  ended = false;
  private readonly followers = new Set<Follower>();

  started(head: AnswerHead): void {
    if (this.head) return;
    this.head = head;
    for (const follower of this.followers) follower.head(head);
  }

  wrote(chunk: Buffer): void {
    this.chunks.push(chunk);
    for (const follower of this.followers) follower.chunk(chunk);
  }

  end(): void {
    this.ended = true;
    for (const follower of this.followers) follower.end();
    this.followers.clear();
  }

  /** Hands `follower` everything so far, then the rest as it comes; returns how to stop following. */
  follow(follower: Follower): () => void {
    if (this.head) {
      follower.head(this.head);
      for (const chunk of this.chunks) follower.chunk(chunk);
    }
    if (this.ended) {
      follower.end();
      return () => undefined;
    }
    this.followers.add(follower);
    return () => this.followers.delete(follower);
  }
}
