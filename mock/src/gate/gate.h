/* gate.h - `cxmock gate`: judge any program, in any language, from the mock's side. */
#ifndef GATE_H
#define GATE_H

/* The subcommand's main: ARGV[0] is "gate". Returns the exit code (verdict.h). */
int cxm_gate_main(int argc, char **argv);

#endif
