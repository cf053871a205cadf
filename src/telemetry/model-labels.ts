/** What unknown and unlisted models are counted as. */
export const OTHER_MODEL = 'other';

/** Distinct model names that get series of their own; past it, new ones fold into `other`. */
export const DEFAULT_MODEL_CAP = 50;

/** A name a provider could really give a model; anything else is a client's invention. */
const PLAUSIBLE = /^[A-Za-z0-9][A-Za-z0-9._:/@-]{0,99}$/;

/**
 * Model names come from clients, so they cannot be labels as sent: a client could mint one
 * series per request. A model earns its own label when a request with it completes (the
 * provider accepted the name), for the first `cap` such names; every other name, and any
 * request with a model not yet admitted, is counted as `other`.
 */
export class ModelLabels {
  private readonly admitted = new Set<string>();

  constructor(private readonly cap = DEFAULT_MODEL_CAP) {}

  /** The label for `model` as things stand; never adds one. */
  label(model: string | undefined): string {
    return model !== undefined && this.admitted.has(model) ? model : OTHER_MODEL;
  }

  /** The provider accepted `model`: it gets a label of its own while there is room. */
  admit(model: string): string {
    if (this.admitted.has(model)) return model;
    if (this.admitted.size >= this.cap || !PLAUSIBLE.test(model)) return OTHER_MODEL;
    this.admitted.add(model);
    return model;
  }
}
