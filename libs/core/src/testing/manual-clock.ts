import { Clock } from '../clock';

/** A clock tests move by hand instead of sleeping. */
export class ManualClock extends Clock {
  private offsetMs = 0;

  constructor(private readonly start = Date.now()) {
    super();
  }

  now(): Date {
    return new Date(this.start + this.offsetMs);
  }

  advance(secs: number): void {
    this.offsetMs += secs * 1000;
  }
}
