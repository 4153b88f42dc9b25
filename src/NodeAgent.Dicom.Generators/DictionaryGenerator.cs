using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace NodeAgent.Dicom.Generators;

/// <summary>
/// Generates the data dictionary, the private dictionary and the UID registry from the standard's
/// tables, which the NodeAgent.Dicom project passes in as AdditionalFiles. Runs in every
/// <c>dotnet build</c>; nothing here is typed by hand.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class DictionaryGenerator : IIncrementalGenerator
{
    private static readonly DiagnosticDescriptor BadLine = new(
        "NADG001", "Unreadable dictionary line", "{0}:{1}: {2}", "NodeAgent.Dicom.Generators",
        DiagnosticSeverity.Error, isEnabledByDefault: true);

    private static readonly DiagnosticDescriptor MissingFile = new(
        "NADG002", "Dictionary source missing", "The generator needs the additional file '{0}'",
        "NodeAgent.Dicom.Generators", DiagnosticSeverity.Error, isEnabledByDefault: true);

    private static readonly string[] RequiredFiles = ["dicom.dic", "private.dic", "uid-registry.tsv"];

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var files = context.AdditionalTextsProvider
            .Where(static f => IsInput(Path.GetFileName(f.Path)))
            .Select(static (f, ct) => (Name: Path.GetFileName(f.Path), Text: f.GetText(ct)?.ToString() ?? string.Empty))
            .Collect();

        context.RegisterSourceOutput(files, static (spc, inputs) =>
        {
            var byName = inputs.ToDictionary(i => i.Name, i => i.Text, StringComparer.OrdinalIgnoreCase);
            foreach (var required in RequiredFiles)
            {
                if (!byName.ContainsKey(required))
                {
                    spc.ReportDiagnostic(Diagnostic.Create(MissingFile, Location.None, required));
                    return;
                }
            }

            var errors = new List<string>();
            var standard = StandardDictionaryParser.Parse(byName["dicom.dic"], errors);
            var privates = PrivateDictionaryParser.Parse(byName["private.dic"], errors);
            var uids = UidRegistryParser.Parse(byName["uid-registry.tsv"], errors);
            foreach (var e in errors)
            {
                spc.ReportDiagnostic(Diagnostic.Create(BadLine, Location.None, "dictionary", 0, e));
            }

            if (errors.Count > 0)
            {
                return;
            }

            spc.AddSource("DicomTags.g.cs", SourceText.From(Emitter.EmitTags(standard), Encoding.UTF8));
            spc.AddSource("GeneratedDictionaryData.g.cs", SourceText.From(Emitter.EmitDictionaryData(standard, privates), Encoding.UTF8));
            spc.AddSource("DicomUids.g.cs", SourceText.From(Emitter.EmitUids(uids), Encoding.UTF8));
            spc.AddSource("GeneratedUidData.g.cs", SourceText.From(Emitter.EmitUidData(uids), Encoding.UTF8));
        });
    }

    private static bool IsInput(string name) =>
        name.Equals("dicom.dic", StringComparison.OrdinalIgnoreCase)
        || name.Equals("private.dic", StringComparison.OrdinalIgnoreCase)
        || name.Equals("uid-registry.tsv", StringComparison.OrdinalIgnoreCase);
}
