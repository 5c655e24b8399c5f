import { CommandRunner } from 'nest-commander';

/** A command that only groups subcommands: alone it prints its help; with an unknown word it fails. */
export abstract class CommandGroup extends CommandRunner {
  async run(words: string[]): Promise<void> {
    if (words.length > 0) {
      process.stderr.write(`error: unknown command "${words[0]}"\n`);
      process.exitCode = 2;
    }
    this.command.outputHelp();
  }
}
