using System.Collections.Frozen;
using NodeAgent.Dicom.Dictionary;
using NodeAgent.Dicom.Network.Pdus;

namespace NodeAgent.Dicom.Network.Server.Internal;

/// <summary>
/// Decides each proposed presentation context: supported abstract syntaxes (verification; storage
/// classes when a store handler exists; query models when a find handler exists) get, among the
/// proposed transfer syntaxes we can read (every registered one: compressed data is stored as sent),
/// the server's preferred ones first (<see cref="DicomServerOptions.PreferredTransferSyntaxes"/>),
/// then the others in the order proposed.
/// </summary>
internal static class ContextNegotiator
{
    private static readonly Lazy<FrozenSet<string>> StorageClasses = new(() =>
        DicomUidRegistry.All.Where(u => u.Type == "SOP Class" && u.Name.Contains("Storage", StringComparison.Ordinal)
                && !u.Name.Contains("Commitment", StringComparison.Ordinal) && u.Uid != DicomUids.MediaStorageDirectoryStorage)
            .Select(u => u.Uid).ToFrozenSet(StringComparer.Ordinal));

    private static readonly FrozenSet<string> FindClasses = new[]
    {
        DicomUids.PatientRootQueryRetrieveInformationModelFind, DicomUids.StudyRootQueryRetrieveInformationModelFind,
    }.ToFrozenSet(StringComparer.Ordinal);

    public static List<PresentationContextResult> Negotiate(IEnumerable<PresentationContextProposal> proposals, IReadOnlyList<string> preferred, bool canStore, bool canFind)
    {
        var results = new List<PresentationContextResult>();
        foreach (var proposal in proposals)
        {
            var supported = proposal.AbstractSyntax == DicomUids.Verification
                || (canStore && StorageClasses.Value.Contains(proposal.AbstractSyntax))
                || (canFind && FindClasses.Contains(proposal.AbstractSyntax));
            if (!supported)
            {
                results.Add(new PresentationContextResult(proposal.Id, PresentationContextResultCode.AbstractSyntaxNotSupported, proposal.TransferSyntaxes[0]));
                continue;
            }

            var syntax = proposal.TransferSyntaxes.Where(IsReadable).OrderBy(Rank).FirstOrDefault();
            results.Add(syntax is null
                ? new PresentationContextResult(proposal.Id, PresentationContextResultCode.TransferSyntaxesNotSupported, proposal.TransferSyntaxes[0])
                : new PresentationContextResult(proposal.Id, PresentationContextResultCode.Acceptance, syntax));
        }

        return results;

        // OrderBy is stable: the proposer's order decides among the syntaxes we have no preference for.
        int Rank(string uid)
        {
            for (var i = 0; i < preferred.Count; i++)
            {
                if (preferred[i] == uid)
                {
                    return i;
                }
            }

            return preferred.Count;
        }
    }

    private static bool IsReadable(string uid)
    {
        var syntax = DicomTransferSyntax.FromUid(uid);
        return syntax.IsKnown && uid is not (DicomUids.RFC2557MIMEEncapsulation or DicomUids.XMLEncoding);
    }
}
