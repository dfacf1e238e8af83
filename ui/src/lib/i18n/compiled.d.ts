// The catalogues as the build compiles them (ui/messages.config.ts).
declare module 'virtual:cryptill-messages/*' {
  const table: Record<string, import('../../../messages.config').CompiledMessage>;
  export default table;
}
