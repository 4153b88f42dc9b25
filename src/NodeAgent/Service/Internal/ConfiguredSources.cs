using NodeAgent.Dicom.Network.Client;
using NodeAgent.Index.Scheduling;
using NodeAgent.Index.Sources;
using NodeAgent.Pseudonymisation.Keys;
using NodeAgent.Service.Configuration;

namespace NodeAgent.Service.Internal;

/// <summary>Turns the configured sources into sources the scheduler and <c>index</c> can sync.</summary>
internal static class ConfiguredSources
{
    public static IIndexSource Create(ResolvedSource source, PseudonymGenerator pseudonyms, DicomPeerRegistry registry, HttpClient http)
    {
        var s = source.Settings;
        var interval = TimeSpan.FromSeconds(1 / s.MaxQueriesPerSecond);
        return source.Kind switch
        {
            "dimse" => new DimseSource(
                source.Name,
                new DicomClient(new DicomClientOptions { Host = s.Host!, Port = s.Port, CalledAeTitle = s.CalledAe!, CallingAeTitle = s.CallingAe }, registry),
                pseudonyms,
                new DimseSourceOptions { From = source.From, AnswerCap = s.AnswerCap, RecentDays = s.RecentDays, MinQueryInterval = interval }),
            "dicomweb" => new DicomWebSource(
                source.Name,
                http,
                source.Url!,
                pseudonyms,
                new DicomWebSourceOptions { From = source.From, AnswerCap = s.AnswerCap, RecentDays = s.RecentDays, MinQueryInterval = interval }),
            "folder" => new FolderSource(source.Name, s.Path!, pseudonyms),
            "store" => new FolderSource(source.Name, s.Path!, pseudonyms), // the received files, read again on the full schedule
            _ => throw new ArgumentException($"Source kind '{source.Kind}' is not known.", nameof(source)),
        };
    }
}
