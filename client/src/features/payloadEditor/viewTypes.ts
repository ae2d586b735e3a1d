/** The inspector is the default editor for `*.livepatch`, and offered through "Open With" for `*.ko` and `*.o`. */
export const defaultViewType = 'livepatch.payloadInspector';
export const optionViewType = 'livepatch.payloadInspector.object';

/** The view type whose selector matches the file, so "Open in Payload Inspector" works for every payload kind. */
export const viewTypeFor = (path: string): string => (path.endsWith('.livepatch') ? defaultViewType : optionViewType);
