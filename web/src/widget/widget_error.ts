// A refusal of the widget's API: its message and error id (the guard's rule, say).
export class WidgetError extends Error {
  constructor(
    message: string,
    readonly id: string,
  ) {
    super(message);
  }
}
