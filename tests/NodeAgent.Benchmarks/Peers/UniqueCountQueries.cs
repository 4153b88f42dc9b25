using NodeAgent.Federation.V1;

namespace NodeAgent.Benchmarks.Peers;

/// <summary>
/// Count queries of one shape (two modalities, an age range, a study-date range), each one not asked
/// before: a node charges, noises and audits every one anew. Uniqueness comes from the study-date
/// range's ends, kept outside the synthetic catalogues' dates (2005-2024) so that every query selects
/// as many series as the same query without them: a range that moved into or past the data would
/// shrink the cohort, and a cohort below the threshold is withheld without totals or noise, a cheaper
/// answer than the one measured.
/// </summary>
internal sealed class UniqueCountQueries
{
    private static readonly string[] Modalities = ["CT", "MR", "PT", "US", "CR", "MG", "SEG", "DX", "NM", "XA"];

    // Minimums from 1800-01-01 for this many days stay before 2000; each lap moves the maximum one
    // day back from 2999-12-31, which stays after the data (2024 at the latest) for about 356,000 laps.
    private const int DaysOfMinimums = 73_000;
    private static readonly DateOnly FirstMinimum = new(1800, 1, 1);
    private static readonly DateOnly LastMaximum = new(2999, 12, 31);

    private long _issued;

    public static IReadOnlyList<string> ModalityCodes => Modalities;

    public CountRequest Next(Random random)
    {
        var set = new ValueSet { Field = "modality" };
        set.Values.Add(Modalities[random.Next(Modalities.Length)]);
        set.Values.Add(Modalities[random.Next(Modalities.Length)]);
        var all = new Criteria();
        all.Items.Add(new Criterion { InSet = set });
        all.Items.Add(new Criterion { InRange = new Federation.V1.Range { Field = "age", Min = random.Next(0, 50), Max = random.Next(50, 100) } });

        var key = Interlocked.Increment(ref _issued);
        var from = FirstMinimum.AddDays((int)(key % DaysOfMinimums));
        var to = LastMaximum.AddDays(-(int)(key / DaysOfMinimums));
        all.Items.Add(new Criterion { InRange = new Federation.V1.Range { Field = "studydate", Min = AsNumber(from), Max = AsNumber(to) } });
        return new CountRequest { Query = new Query { Criterion = new Criterion { AllOf = all } } };
    }

    private static int AsNumber(DateOnly date) => (date.Year * 10000) + (date.Month * 100) + date.Day;
}
