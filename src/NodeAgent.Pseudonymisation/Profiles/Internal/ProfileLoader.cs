using System.Globalization;
using System.Text.Json;
using NodeAgent.Dicom;
using NodeAgent.Dicom.Dictionary;
using NodeAgent.Pseudonymisation.Standard;

namespace NodeAgent.Pseudonymisation.Profiles.Internal;

/// <summary>Finds profile files, follows <c>extends</c>, validates every rule and merges the chain.</summary>
internal static class ProfileLoader
{
    private const int MaxChainLength = 16;
    private const int MaxProfileBytes = 1024 * 1024;
    private const string ResourcePrefix = "profiles/";
    private const string BuiltInPrefix = "built-in:";

    // Dates further than this are not a "shift" any more but a different century.
    private const int MaxShiftDays = 36525;

    public static IReadOnlyList<string> BuiltInNames { get; } = typeof(ProfileLoader).Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(".json", StringComparison.Ordinal))
        .Select(n => n[ResourcePrefix.Length..^5]).Order(StringComparer.Ordinal).ToArray();

    public static PseudonymisationProfile Load(string nameOrPath, string[] searchDirectories)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nameOrPath);
        var (json, origin, directory) = Find(nameOrPath, null, searchDirectories)
            ?? throw new ProfileException(nameOrPath, NotFound(nameOrPath, searchDirectories));
        return Parse(json, origin, directory is null ? searchDirectories : [directory, .. searchDirectories]);
    }

    public static PseudonymisationProfile Parse(string json, string origin, string[] searchDirectories)
    {
        var chain = new List<(ProfileDocument Document, string Origin)>();
        var texts = new List<string> { json };
        var errors = new List<string>();
        var document = Deserialize(json, origin, errors);
        var seen = new HashSet<string>(StringComparer.Ordinal) { origin };
        while (document is not null)
        {
            chain.Add((document, origin));
            if (string.IsNullOrWhiteSpace(document.Extends))
            {
                break;
            }

            if (chain.Count >= MaxChainLength)
            {
                errors.Add($"{origin}: 'extends' goes deeper than {MaxChainLength} profiles.");
                break;
            }

            // A built-in profile extends built-in profiles only: a stray basic.json in the working
            // directory or a site folder must not change what "research" means.
            var builtIn = origin.StartsWith(BuiltInPrefix, StringComparison.Ordinal);
            var found = builtIn ? FindBuiltIn(document.Extends) : Find(document.Extends, Path.GetDirectoryName(origin), searchDirectories);
            if (found is null)
            {
                errors.Add($"{origin}: extends '{document.Extends}', which is not found. {NotFound(document.Extends, searchDirectories)}");
                break;
            }

            if (!seen.Add(found.Value.Origin))
            {
                errors.Add($"{origin}: extends '{document.Extends}', which extends it back (a cycle).");
                break;
            }

            origin = found.Value.Origin;
            texts.Add(found.Value.Json);
            document = Deserialize(found.Value.Json, origin, errors);
        }

        chain.Reverse();
        var profile = errors.Count == 0 ? Merge(chain, texts, errors) : null;
        if (profile is not null)
        {
            CheckIntegrity(profile, errors);
        }

        var name = chain.Count > 0 ? chain[^1].Document.Name ?? Path.GetFileNameWithoutExtension(chain[^1].Origin) : origin;
        return errors.Count > 0 || profile is null ? throw new ProfileException(name, errors) : profile;
    }

    private static (string Json, string Origin, string? Directory)? Find(string nameOrPath, string? besideDirectory, string[] searchDirectories)
    {
        var looksLikePath = nameOrPath.Contains('/', StringComparison.Ordinal) || nameOrPath.Contains('\\', StringComparison.Ordinal) || nameOrPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase);
        var candidates = new List<string>();
        if (looksLikePath)
        {
            candidates.Add(besideDirectory is null || Path.IsPathRooted(nameOrPath) ? nameOrPath : Path.Combine(besideDirectory, nameOrPath));
            candidates.Add(nameOrPath);
        }
        else
        {
            if (besideDirectory is not null)
            {
                candidates.Add(Path.Combine(besideDirectory, nameOrPath + ".json"));
            }

            candidates.AddRange(searchDirectories.Select(d => Path.Combine(d, nameOrPath + ".json")));
        }

        foreach (var candidate in candidates)
        {
            if (File.Exists(candidate))
            {
                var full = Path.GetFullPath(candidate);
                if (new FileInfo(full).Length > MaxProfileBytes)
                {
                    throw new ProfileException(nameOrPath, $"{full} is larger than {MaxProfileBytes / 1024} KB: not a profile.");
                }

                try
                {
                    return (File.ReadAllText(full), full, Path.GetDirectoryName(full));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new ProfileException(nameOrPath, $"{full} cannot be read: {e.Message}");
                }
            }
        }

        return looksLikePath ? null : FindBuiltIn(nameOrPath);
    }

    private static (string Json, string Origin, string? Directory)? FindBuiltIn(string name)
    {
        if (typeof(ProfileLoader).Assembly.GetManifestResourceStream(ResourcePrefix + name + ".json") is not { } stream)
        {
            return null;
        }

        using var reader = new StreamReader(stream);
        return (reader.ReadToEnd(), BuiltInPrefix + name, null);
    }

    private static string NotFound(string nameOrPath, string[] searchDirectories) =>
        $"No profile '{nameOrPath}': looked in {(searchDirectories.Length == 0 ? "no site folder" : string.Join(", ", searchDirectories))} and the built-in profiles ({string.Join(", ", BuiltInNames)}).";

    private static ProfileDocument? Deserialize(string json, string origin, List<string> errors)
    {
        try
        {
            var document = JsonSerializer.Deserialize(json, ProfileJsonContext.Default.ProfileDocument);
            if (document is null)
            {
                errors.Add($"{origin}: the file holds no profile object.");
            }

            return document;
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" (line {line + 1}{(e.Path is null ? "" : ", at " + e.Path)})" : "";
            errors.Add($"{origin}: not a valid profile{where}: {FirstSentence(e.Message)}");
            return null;
        }
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end > 0 ? message[..(end + 1)] : message;
    }

    private static PseudonymisationProfile? Merge(List<(ProfileDocument Document, string Origin)> chain, IReadOnlyList<string> texts, List<string> errors)
    {
        var options = ConfidentialityOption.None;
        var mode = ProfileMode.RemoveListed;
        int minDays = PseudonymisationProfile.DefaultDateShiftMinDays, maxDays = PseudonymisationProfile.DefaultDateShiftMaxDays;
        var attributeRules = new List<AttributeRule>();
        var privateRules = new List<PrivateCreatorRule>();
        var pixelRules = new List<PixelRule>();
        var burnedIn = BurnedInPolicy.Quarantine;
        var lineage = new List<string>();
        string? description = null;
        foreach (var (document, origin) in chain)
        {
            var name = document.Name ?? Path.GetFileNameWithoutExtension(origin);
            lineage.Add(name);
            description = document.Description ?? description;
            foreach (var text in document.Options ?? [])
            {
                if (text is null || int.TryParse(text, CultureInfo.InvariantCulture, out _))
                {
                    errors.Add($"{origin}: '{text ?? "null"}' is not an option name.");
                    continue;
                }

                if (text.Equals("basic", StringComparison.OrdinalIgnoreCase))
                {
                    continue; // the Basic Profile is always the base
                }

                if (Enum.TryParse<ConfidentialityOption>(text, ignoreCase: true, out var option) && option != ConfidentialityOption.None && Enum.IsDefined(option))
                {
                    options |= option;
                }
                else
                {
                    errors.Add($"{origin}: unknown option '{text}'; the options are {string.Join(", ", Enum.GetNames<ConfidentialityOption>().Skip(1))}.");
                }
            }

            if (document.Mode is { } modeText)
            {
                mode = modeText.Replace("-", "", StringComparison.Ordinal).ToUpperInvariant() switch
                {
                    "REMOVELISTED" or "DENYLIST" => ProfileMode.RemoveListed,
                    "ALLOWLIST" => ProfileMode.AllowList,
                    _ => Fail(errors, $"{origin}: unknown mode '{modeText}'; use 'remove-listed' or 'allow-list'.", mode),
                };
            }

            if (document.DateShift is { } shift)
            {
                minDays = shift.MinDays ?? minDays;
                maxDays = shift.MaxDays ?? maxDays;
            }

            var own = ReadAttributeRules(document, origin, name, errors);
            CheckConflicts(own, origin, errors);
            attributeRules.RemoveAll(inherited => own.Any(o => o.Tag == inherited.Tag && o.Condition.SameAs(inherited.Condition)));
            attributeRules.InsertRange(0, own);

            var ownPrivate = ReadPrivateRules(document, origin, name, errors);
            privateRules.RemoveAll(inherited => ownPrivate.Any(o => o.Creator == inherited.Creator && o.Group == inherited.Group && o.Condition.SameAs(inherited.Condition) && SameOffsets(o.Offsets, inherited.Offsets)));
            privateRules.InsertRange(0, ownPrivate);

            if (document.Pixels is { } pixels)
            {
                if (pixels.BurnedIn is { } policy)
                {
                    burnedIn = policy.ToUpperInvariant() switch
                    {
                        "QUARANTINE" => BurnedInPolicy.Quarantine,
                        "KEEP" => BurnedInPolicy.Keep,
                        _ => Fail(errors, $"{origin}: pixels.burnedIn '{policy}' is unknown; use 'quarantine' or 'keep'.", burnedIn),
                    };
                }

                pixelRules.InsertRange(0, ReadPixelRules(pixels, origin, errors));
            }
        }

        if ((options & ConfidentialityOption.RetainLongitudinalTemporalInformationFullDates) != 0 && (options & ConfidentialityOption.RetainLongitudinalTemporalInformationModifiedDates) != 0)
        {
            errors.Add($"{chain[^1].Origin}: the options RetainLongitudinalTemporalInformationFullDates and RetainLongitudinalTemporalInformationModifiedDates conflict: keep dates or shift them, not both.");
        }

        if (minDays > maxDays || Math.Abs(minDays) > MaxShiftDays || Math.Abs(maxDays) > MaxShiftDays)
        {
            errors.Add($"{chain[^1].Origin}: dateShift must have minDays <= maxDays, each within ±{MaxShiftDays} days (got {minDays}..{maxDays}).");
        }
        else if (minDays <= 0 && maxDays >= 0)
        {
            // A range through zero would leave some patients' true dates in files marked MODIFIED.
            errors.Add($"{chain[^1].Origin}: dateShift {minDays}..{maxDays} includes 0, which keeps some patients' real dates; use a range on one side of zero (such as -1095..-1).");
        }

        return errors.Count > 0
            ? null
            : new PseudonymisationProfile(lineage[^1], description, lineage, options, mode, (minDays, maxDays), attributeRules, privateRules, burnedIn, pixelRules)
            {
                Fingerprint = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(string.Join('\u001f', texts))).AsSpan(0, 6)),
            };
    }

    private static T Fail<T>(List<string> errors, string error, T fallback)
    {
        errors.Add(error);
        return fallback;
    }

    private static bool SameOffsets(IReadOnlySet<byte>? a, IReadOnlySet<byte>? b) => (a is null && b is null) || (a is not null && b is not null && a.SetEquals(b));

    private static List<AttributeRule> ReadAttributeRules(ProfileDocument document, string origin, string profileName, List<string> errors)
    {
        var rules = new List<AttributeRule>();
        var index = 0;
        foreach (var item in document.Attributes ?? [])
        {
            if (item is null)
            {
                errors.Add($"{origin}: attributes[{index++}] is null.");
                continue;
            }

            var where = $"{origin}: attributes[{index++}]{(item.Tag is null ? "" : $" ({item.Tag})")}";
            if (!TryResolveTag(item.Tag, out var tag, out var tagError))
            {
                errors.Add($"{where}: {tagError}");
                continue;
            }

            if (NotActionable(tag) is { } why)
            {
                errors.Add($"{where}: {why}");
                continue;
            }

            if (!Enum.TryParse<AttributeAction>(item.Action, ignoreCase: true, out var action) || int.TryParse(item.Action, CultureInfo.InvariantCulture, out _))
            {
                errors.Add($"{where}: unknown action '{item.Action}'; use one of {string.Join(", ", Enum.GetNames<AttributeAction>().Select(n => n.ToLowerInvariant()))}.");
                continue;
            }

            var vr = DicomDictionary.Find(tag)?.ValueRepresentation ?? DicomVR.UN;
            var problem = CheckActionFitsVR(tag, vr, action, item);
            if (problem is not null)
            {
                errors.Add($"{where}: {problem}");
                continue;
            }

            DicomTag? source = null;
            if (item.Source is not null)
            {
                if (!TryResolveTag(item.Source, out var sourceTag, out var sourceError))
                {
                    errors.Add($"{where}: source {sourceError}");
                    continue;
                }

                source = sourceTag;
            }

            rules.Add(new AttributeRule(tag, action, ReadCondition(item.When, where, errors)) { Value = item.Value, Source = source, DeclaredIn = profileName });
        }

        return rules;
    }

    private static string? NotActionable(DicomTag tag)
    {
        if (tag.Group == 0x0002)
        {
            return "the file meta group is written anew for every output; rules cannot act on it.";
        }

        if (tag == DicomTags.SpecificCharacterSet)
        {
            return "the character set follows the values written; it cannot be set by a rule.";
        }

        return (tag.Group & 0xFF01) is 0x5000 or 0x6000
            ? "overlay and curve groups (50xx, 60xx) are handled whole, by the CleanGraphics option."
            : null;
    }

    private static string? CheckActionFitsVR(DicomTag tag, DicomVR vr, AttributeAction action, AttributeRuleDocument item)
    {
        if (action == AttributeAction.Replace)
        {
            if (item.Value is null)
            {
                return "'replace' needs a 'value'.";
            }

            if (!vr.IsString())
            {
                return $"'replace' works on text attributes; {Keyword(tag)} is {vr.Code()}.";
            }

            if (vr.MaxValueLength() > 0 && item.Value.Split('\\').Any(v => v.Length > vr.MaxValueLength()))
            {
                return $"the value is longer than {vr.MaxValueLength()} characters, the most a {vr.Code()} allows.";
            }
        }
        else if (item.Value is not null)
        {
            return $"'value' is only for 'replace', not '{action.ToString().ToLowerInvariant()}'.";
        }

        if (item.Source is not null && action != AttributeAction.Hash)
        {
            return "'source' is only for 'hash'.";
        }

        return action switch
        {
            AttributeAction.Hash when vr is not (DicomVR.LO or DicomVR.SH or DicomVR.PN or DicomVR.LT or DicomVR.ST or DicomVR.UT or DicomVR.UC) =>
                $"'hash' makes a 16-character pseudonym, for identifiers held as LO, SH, PN or text; {Keyword(tag)} is {vr.Code()}.",
            AttributeAction.Shift when vr is not (DicomVR.DA or DicomVR.DT) => $"'shift' works on dates (DA, DT); {Keyword(tag)} is {vr.Code()}.",
            AttributeAction.Uid when vr != DicomVR.UI && vr != DicomVR.SQ => $"'uid' works on UIDs; {Keyword(tag)} is {vr.Code()}.",
            _ => null,
        };
    }

    private static void CheckConflicts(List<AttributeRule> rules, string origin, List<string> errors)
    {
        for (var i = 0; i < rules.Count; i++)
        {
            for (var j = i + 1; j < rules.Count; j++)
            {
                var (a, b) = (rules[i], rules[j]);
                if (a.Tag == b.Tag && a.Condition.Overlaps(b.Condition) && (a.Action != b.Action || a.Value != b.Value || a.Source != b.Source))
                {
                    errors.Add($"{origin}: conflicting rules for {Keyword(a.Tag)}: '{a.Action.ToString().ToLowerInvariant()}' ({a.Condition}) and '{b.Action.ToString().ToLowerInvariant()}' ({b.Condition}) can apply to the same instance.");
                }
            }
        }
    }

    private static List<PrivateCreatorRule> ReadPrivateRules(ProfileDocument document, string origin, string profileName, List<string> errors)
    {
        var rules = new List<PrivateCreatorRule>();
        var index = 0;
        foreach (var item in document.PrivateCreators ?? [])
        {
            var where = $"{origin}: privateCreators[{index++}]";
            if (item is null)
            {
                errors.Add($"{where} is null.");
                continue;
            }

            if (string.IsNullOrWhiteSpace(item.Creator))
            {
                errors.Add($"{where}: 'creator' is required (the private creator string, as in (gggg,0010)).");
                continue;
            }

            ushort? group = null;
            if (item.Group is not null)
            {
                if (!ushort.TryParse(item.Group, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var g) || (g & 1) == 0 || g <= 0x0007)
                {
                    errors.Add($"{where}: group '{item.Group}' is not a private (odd, hexadecimal) group.");
                    continue;
                }

                group = g;
            }

            HashSet<byte>? offsets = null;
            if (item.Offsets is not null)
            {
                offsets = [];
                foreach (var text in item.Offsets)
                {
                    if (text is not null && byte.TryParse(text.Replace("xx", "", StringComparison.OrdinalIgnoreCase), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var offset))
                    {
                        offsets.Add(offset);
                    }
                    else
                    {
                        errors.Add($"{where}: offset '{text ?? "null"}' is not a hexadecimal element offset 00-FF.");
                    }
                }
            }

            var keep = item.Action?.ToUpperInvariant() switch
            {
                "KEEP" => true,
                "REMOVE" => false,
                _ => Fail(errors, $"{where}: action '{item.Action}' must be 'keep' or 'remove'.", false),
            };
            rules.Add(new PrivateCreatorRule(item.Creator.Trim(), group, offsets, keep, ReadCondition(item.When, where, errors)) { DeclaredIn = profileName });
        }

        return rules;
    }

    private static List<PixelRule> ReadPixelRules(PixelsDocument pixels, string origin, List<string> errors)
    {
        var rules = new List<PixelRule>();
        var index = 0;
        foreach (var item in pixels.Rules ?? [])
        {
            var where = $"{origin}: pixels.rules[{index++}]";
            if (item is null)
            {
                errors.Add($"{where} is null.");
                continue;
            }

            if (item.Rectangles is not { Count: > 0 })
            {
                errors.Add($"{where}: give at least one rectangle to blank ({{\"x\":0,\"y\":0,\"width\":640,\"height\":40}}).");
                continue;
            }

            if (item.Rectangles.Any(r => r is null || r.X < 0 || r.Y < 0 || r.Width <= 0 || r.Height <= 0))
            {
                errors.Add($"{where}: rectangles need x, y >= 0 and width, height > 0.");
                continue;
            }

            if (item.Rows <= 0 || item.Columns <= 0)
            {
                errors.Add($"{where}: rows and columns must be positive.");
                continue;
            }

            rules.Add(new PixelRule(item.Manufacturer, item.Model, item.Rows, item.Columns, item.Rectangles.Select(r => new PixelRectangle(r.X, r.Y, r.Width, r.Height)).ToArray()));
        }

        return rules;
    }

    private static RuleCondition ReadCondition(ConditionDocument? when, string where, List<string> errors)
    {
        if (when is null)
        {
            return RuleCondition.Always;
        }

        List<string>? sopClasses = null;
        if (when.SopClass is not null)
        {
            sopClasses = [];
            foreach (var text in when.SopClass)
            {
                if (text is null)
                {
                    errors.Add($"{where}: sopClass holds null.");
                    continue;
                }

                var uid = DicomUidRegistry.All.FirstOrDefault(u => string.Equals(u.Keyword, text, StringComparison.OrdinalIgnoreCase))?.Uid ?? text;
                if (DicomUidRegistry.Find(uid) is null)
                {
                    errors.Add($"{where}: sopClass '{text}' is neither a SOP class keyword nor a registered UID.");
                }

                sopClasses.Add(uid);
            }
        }

        if (when.Modality is { Count: 0 } || when.Manufacturer is { Count: 0 } || when.SopClass is { Count: 0 })
        {
            errors.Add($"{where}: an empty list in 'when' matches nothing; leave it out to match everything.");
        }

        if (when.Modality?.Contains(null!) == true || when.Manufacturer?.Contains(null!) == true)
        {
            errors.Add($"{where}: a list in 'when' holds null.");
            return RuleCondition.Always;
        }

        return new RuleCondition(when.Modality, sopClasses, when.Manufacturer);
    }

    internal static bool TryResolveTag(string? text, out DicomTag tag, out string error)
    {
        tag = default;
        error = "";
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "'tag' is required (a keyword such as PatientID, or (0010,0020)).";
            return false;
        }

        if (DicomDictionary.FindByKeyword(text.Trim()) is { } entry)
        {
            tag = entry.Tag;
            return true;
        }

        if (DicomTag.TryParse(text, out tag))
        {
            if (tag.IsPrivate)
            {
                error = "private elements are matched by their creator: use 'privateCreators'.";
                return false;
            }

            if (DicomDictionary.Find(tag) is null)
            {
                error = $"{tag} is not in the DICOM data dictionary.";
                return false;
            }

            return true;
        }

        var suggestion = DicomDictionary.StandardEntries.FirstOrDefault(e => string.Equals(e.Keyword, text.Trim(), StringComparison.OrdinalIgnoreCase))?.Keyword;
        error = $"unknown keyword or tag '{text}'{(suggestion is null ? "" : $"; did you mean {suggestion}?")}";
        return false;
    }

    private static void CheckIntegrity(PseudonymisationProfile profile, List<string> errors)
    {
        var table = ConfidentialityProfileTable.Standard;
        var retainUids = (profile.Options & ConfidentialityOption.RetainUids) != 0;
        foreach (var rule in profile.AttributeRules)
        {
            var vr = DicomDictionary.Find(rule.Tag)?.ValueRepresentation;
            if (vr != DicomVR.UI)
            {
                continue;
            }

            var standardMaps = table.Find(rule.Tag)?.ActionFor(profile.Options).HasFlag(ConfidentialityAction.Uid) == true;
            var mapped = rule.Action == AttributeAction.Uid;
            if (!retainUids && standardMaps && rule.Action is AttributeAction.Keep or AttributeAction.Replace or AttributeAction.Hash or AttributeAction.Empty or AttributeAction.Dummy or AttributeAction.Clean)
            {
                errors.Add($"{rule.DeclaredIn}: '{rule.Action.ToString().ToLowerInvariant()}' on {Keyword(rule.Tag)} would break referential integrity: other instances refer to it by the mapped UID. Map it ('uid'), or retain all UIDs with the RetainUids option.");
            }
            else if (retainUids && mapped)
            {
                errors.Add($"{rule.DeclaredIn}: 'uid' on {Keyword(rule.Tag)} would break referential integrity: RetainUids keeps the UIDs that refer to it.");
            }

            if (rule.Action == AttributeAction.Remove && (rule.Tag == DicomTags.SOPInstanceUID || rule.Tag == DicomTags.StudyInstanceUID || rule.Tag == DicomTags.SeriesInstanceUID || rule.Tag == DicomTags.SOPClassUID))
            {
                errors.Add($"{rule.DeclaredIn}: {Keyword(rule.Tag)} cannot be removed: every instance needs it.");
            }
        }
    }

    private static string Keyword(DicomTag tag) => DicomDictionary.Find(tag) is { Keyword.Length: > 0 } entry ? entry.Keyword : tag.ToString();
}
