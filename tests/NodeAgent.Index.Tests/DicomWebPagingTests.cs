using System.Globalization;
using System.Net;
using System.Text;
using System.Web;
using NodeAgent.Index.Catalogue;
using NodeAgent.Index.Sources;
using NodeAgent.Pseudonymisation.Keys;

namespace NodeAgent.Index.Tests;

/// <summary>QIDO-RS paging against a PACS whose list shifts during the crawl.</summary>
public sealed class DicomWebPagingTests
{
    [Test]
    public async Task A_study_deleted_during_the_crawl_does_not_make_the_next_one_skipped_and_removed()
    {
        var studies = Enumerable.Range(0, 45).Select(i => $"1.2.826.0.1.77.{i}").ToList();
        using var handler = new ShiftingQido(studies);
        using var http = new HttpClient(handler);
        var root = Directory.CreateTempSubdirectory("nodeagent-qido-").FullName;
        try
        {
            using var catalogue = SiteCatalogue.Open(Path.Combine(root, "c.db"));
            var source = new DicomWebSource("web", http, new Uri("http://pacs.invalid/dicom-web"), new PseudonymGenerator(SiteSecret.FromBytes(new byte[32])), new DicomWebSourceOptions { PageSize = 10 });
            await source.SyncAsync(catalogue);
            var indexed = catalogue.Series().Select(r => r.StudyInstanceUid).ToHashSet();
            Assert.Multiple(() =>
            {
                Assert.That(handler.Deleted, Is.Not.Null, "a study was deleted between two pages");
                Assert.That(studies.Where(s => !indexed.Contains(s)), Is.Empty, "every study still in the PACS was found");
            });
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Test]
    public async Task A_sync_of_the_recent_days_without_a_cap_is_one_query_not_a_split_to_single_days()
    {
        var studies = Enumerable.Range(0, 5).Select(i => $"1.2.826.0.1.78.{i}").ToList();
        using var handler = new ShiftingQido(studies) { Shift = false };
        using var http = new HttpClient(handler);
        var root = Directory.CreateTempSubdirectory("nodeagent-qido-").FullName;
        try
        {
            using var catalogue = SiteCatalogue.Open(Path.Combine(root, "c.db"));
            var source = new DicomWebSource("web", http, new Uri("http://pacs.invalid/dicom-web"), new PseudonymGenerator(SiteSecret.FromBytes(new byte[32])));
            var result = await source.SyncAsync(catalogue, SyncScope.Recent);
            Assert.Multiple(() =>
            {
                Assert.That(result.Windows, Is.EqualTo(1));
                Assert.That(result.CappedDays, Is.Zero);
                Assert.That(catalogue.GetSource("web")!.LastError, Is.Null);
            });
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>QIDO-RS over a list of studies; the first study is deleted after the first page is served.</summary>
    private sealed class ShiftingQido(List<string> studies) : HttpMessageHandler
    {
        public string? Deleted { get; private set; }

        public bool Shift { get; init; } = true;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var path = request.RequestUri!.AbsolutePath;
            string body;
            if (path.EndsWith("/studies", StringComparison.Ordinal))
            {
                var query = HttpUtility.ParseQueryString(request.RequestUri.Query);
                var limit = int.Parse(query["limit"]!, CultureInfo.InvariantCulture);
                var offset = int.Parse(query["offset"]!, CultureInfo.InvariantCulture);
                var page = studies.Skip(offset).Take(limit).ToList();
                body = "[" + string.Join(",", page.Select(uid => $$$"""{"0020000D":{"vr":"UI","Value":["{{{uid}}}"]},"00100020":{"vr":"LO","Value":["P-{{{uid}}}"]},"00080020":{"vr":"DA","Value":["20200101"]}}""")) + "]";
                if (Shift && offset > 0 && Deleted is null)
                {
                    Deleted = studies[0];
                    studies.RemoveAt(0);
                }
            }
            else
            {
                var study = path.Split('/')[^2];
                body = $$$"""[{"0020000E":{"vr":"UI","Value":["{{{study}}}.1"]},"00080060":{"vr":"CS","Value":["CT"]},"00201209":{"vr":"IS","Value":[1]}}]""";
            }

            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/dicom+json") });
        }
    }
}
