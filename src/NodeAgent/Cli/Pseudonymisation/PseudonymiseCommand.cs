using System.CommandLine;
using System.Globalization;
using NodeAgent.Cli.Internal;
using NodeAgent.Pseudonymisation;
using NodeAgent.Pseudonymisation.Batch;
using NodeAgent.Pseudonymisation.Keys;
using NodeAgent.Pseudonymisation.Profiles;
using NodeAgent.Pseudonymisation.ReIdentification;

namespace NodeAgent.Cli.Pseudonymisation;

/// <summary>
/// <c>nodeagent pseudonymise --profile P --input DIR --output DIR</c>: a research copy of a folder
/// tree. Exit code 0 when every file was pseudonymised or quarantined, 1 when any failed, 130 when
/// interrupted (run it again to finish).
/// </summary>
internal static class PseudonymiseCommand
{
    public static Command Build(TextWriter output, TextWriter error)
    {
        var profile = new Option<string>("--profile") { Description = "Profile name (basic, research, or a site profile) or path to a profile file.", Required = true };
        var input = new Option<string>("--input") { Description = "Folder of DICOM files to pseudonymise (read only).", Required = true };
        var outputDir = new Option<string>("--output") { Description = "Folder for the pseudonymised copies; the input's layout is mirrored.", Required = true };
        var quarantine = new Option<string?>("--quarantine") { Description = "Folder for inputs set aside, each with a .reason.txt (default: OUTPUT.quarantine beside the output). It holds original data: keep it on site." };
        var secret = new Option<string?>("--secret") { Description = "The site secret: a file of at least 32 random bytes, readable only by this account. Without it, a development secret is made beside the output." };
        var jobs = new Option<int>("--jobs") { Description = "Files pseudonymised at once (default: twice the number of processors).", DefaultValueFactory = _ => PseudonymisationJobOptions.DefaultJobs };
        var reidStore = new Option<string?>("--reid-store") { Description = "Also record original-to-pseudonym mappings in this encrypted file (off by default; needs --reid-key)." };
        var reidKey = new Option<string?>("--reid-key") { Description = "Key file (32+ random bytes, mode 600) for --reid-store; never the site secret." };
        var layout = new Option<OutputLayout>("--layout")
        {
            Description = "How outputs are named: mirror (the input's folders and file names, the default; check they hold no names or IDs) or uids (STUDY/SERIES/INSTANCE.dcm with the new UIDs).",
            DefaultValueFactory = _ => OutputLayout.Mirror,
        };
        var fsync = new Option<bool>("--fsync") { Description = "Flush every output to disk before it is renamed into place (survives power cuts, slower)." };
        var profilesDir = ProfileDirectories.CreateOption();
        var command = new Command("pseudonymise", "Make a pseudonymised research copy of a folder of DICOM files.")
        {
            profile, input, outputDir, quarantine, secret, jobs, layout, reidStore, reidKey, fsync, profilesDir,
        };
        command.Aliases.Add("pseudonymize");
        command.SetAction((parse, ct) => CliFailure.RunAsync("pseudonymise", error, () => Task.FromResult(Run(
            new Arguments(
                parse.GetValue(profile)!,
                parse.GetValue(input)!,
                parse.GetValue(outputDir)!,
                parse.GetValue(quarantine),
                parse.GetValue(secret),
                parse.GetValue(jobs),
                parse.GetValue(reidStore),
                parse.GetValue(reidKey),
                parse.GetValue(fsync),
                parse.GetValue(layout),
                ProfileDirectories.Resolve(parse.GetValue(profilesDir))),
            output,
            error,
            ct))));
        return command;
    }

    private static int Run(Arguments args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (args.Jobs < 1)
        {
            return Fail(error, "--jobs must be at least 1.");
        }

        if ((args.ReidStore is null) != (args.ReidKey is null))
        {
            return Fail(error, "--reid-store and --reid-key go together: give both, or neither.");
        }

        var quarantine = args.Quarantine ?? Path.TrimEndingDirectorySeparator(Path.GetFullPath(args.Output)) + ".quarantine";
        var folders = new PseudonymisationJobOptions(args.Input, args.Output, quarantine) { Jobs = args.Jobs, FlushToDisk = args.Fsync, Layout = args.Layout };
        PseudonymisationProfile profile;
        SiteSecret secret;
        SiteSecret? reidKey;
        try
        {
            // Folders first: nothing (not even a development secret) is created for a run that cannot start.
            PseudonymisationJob.CheckFolders(folders);
            profile = PseudonymisationProfile.Load(args.Profile, args.ProfileDirectories);
            secret = SiteSecretArgument.Load(args.Secret, Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(args.Output)))!, "pseudonymise",
                "Pseudonyms made with it differ from the site's: give the site secret with --secret for real research copies.", error);
            reidKey = args.ReidKey is null ? null : LoadReidKey(args.ReidKey, secret);
        }
        catch (Exception e) when (e is ProfileException or SiteSecretException or ArgumentException)
        {
            return Fail(error, e.Message);
        }

        using var telemetry = CommandTelemetry.StartIfConfigured("pseudonymise");
        using var reIdentification = reidKey is null ? null : ReIdentificationStore.Open(args.ReidStore!, reidKey);
        var job = new PseudonymisationJob(new Pseudonymiser(profile, secret, reIdentification), folders);

        var line = new ProgressLine(error);
        var started = Environment.TickCount64;
        var summary = job.Run(new SynchronousProgress<PseudonymisationProgress>(p => line.Report(Describe(p, Environment.TickCount64 - started), force: p.Handled == p.Total)), cancellationToken);
        line.Done();
        reIdentification?.Flush();
        Report(summary, quarantine, profile, secret, output);
        if (summary.Interrupted)
        {
            error.WriteLine("nodeagent pseudonymise: interrupted; run the same command again to finish the rest (finished files are kept).");
            return 130;
        }

        return summary.Failed > 0 ? 1 : 0;
    }

    private static SiteSecret LoadReidKey(string path, SiteSecret siteSecret)
    {
        var key = SiteSecret.Load(path);
        return key.KeyId == siteSecret.KeyId
            ? throw new SiteSecretException("--reid-key is the site secret itself; the re-identification store needs a key of its own.")
            : key;
    }

    private static string Describe(PseudonymisationProgress p, long elapsedMs)
    {
        const int width = 24;
        var filled = p.Total == 0 ? width : (int)((long)p.Handled * width / p.Total);
        var rate = elapsedMs > 0 ? p.BytesRead / 1e6 / (elapsedMs / 1000.0) : 0;
        return string.Create(CultureInfo.InvariantCulture, $"[{new string('#', filled)}{new string('.', width - filled)}] {p.Handled}/{p.Total} files, {p.Quarantined} quarantined, {p.Failed} failed, {rate:0} MB/s");
    }

    private static void Report(PseudonymisationSummary s, string quarantine, PseudonymisationProfile profile, SiteSecret secret, TextWriter output)
    {
        var seconds = Math.Max(s.Elapsed.TotalSeconds, 1e-3);
        var cleaned = s.PixelsCleaned > 0 ? string.Create(CultureInfo.InvariantCulture, $" ({s.PixelsCleaned} with burned-in text blanked)") : "";
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"pseudonymise: profile {profile.Name}, key {secret.KeyId}: {s.Total} files in {s.Elapsed.TotalSeconds:0.0} s ({s.BytesRead / 1e6 / seconds:0} MB/s): {s.Done} done, {s.AlreadyDone} already done, {s.Quarantined} quarantined, {s.Failed} failed{cleaned}"));
        if (s.Quarantined > 0)
        {
            output.WriteLine($"quarantined in {quarantine} (each with a .reason.txt):");
            foreach (var (reason, count) in s.QuarantineReasons.OrderByDescending(r => r.Value))
            {
                output.WriteLine($"  {count,7}  {reason}");
            }
        }

        foreach (var (file, problem) in s.Failures)
        {
            output.WriteLine($"failed: {file}: {problem}");
        }

        if (s.Failed > s.Failures.Count)
        {
            output.WriteLine($"failed: {s.Failed - s.Failures.Count} more not listed");
        }
    }

    private static int Fail(TextWriter error, string message)
    {
        error.WriteLine("nodeagent pseudonymise: " + message);
        return 1;
    }

    private sealed record Arguments(
        string Profile,
        string Input,
        string Output,
        string? Quarantine,
        string? Secret,
        int Jobs,
        string? ReidStore,
        string? ReidKey,
        bool Fsync,
        OutputLayout Layout,
        string[] ProfileDirectories);
}
