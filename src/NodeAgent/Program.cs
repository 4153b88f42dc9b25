using NodeAgent.Cli;

return await NodeAgentCommandLine.RunAsync(args, Console.Out, Console.Error);
