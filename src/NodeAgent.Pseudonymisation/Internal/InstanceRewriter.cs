using System.Globalization;
using System.Text;
using NodeAgent.Dicom;
using NodeAgent.Dicom.Dictionary;
using NodeAgent.Dicom.Text;
using NodeAgent.Pseudonymisation.Keys;
using NodeAgent.Pseudonymisation.Profiles;
using NodeAgent.Pseudonymisation.ReIdentification;
using NodeAgent.Pseudonymisation.Standard;

namespace NodeAgent.Pseudonymisation.Internal;

/// <summary>
/// Rewrites one instance in place, element by element at every depth: the profile's rule if one
/// applies, else Table E.1-1 under the profile's options, else a decision by VR for attributes the
/// table does not list (dates, UIDs and person names are never kept by accident).
/// </summary>
internal sealed class InstanceRewriter
{
    private readonly PseudonymisationProfile _profile;
    private readonly PseudonymGenerator _pseudonyms;
    private readonly ConfidentialityProfileTable _table;
    private readonly SafePrivateAttributes _safePrivate;
    private readonly ReIdentificationStore? _reIdentification;
    private readonly List<ExplainEntry>? _explain;
    private readonly DicomDataset _root;
    private readonly InstanceFacts _facts;
    private readonly Dictionary<DicomTag, string> _originalValues = [];
    private readonly IdentifyingTextScrubber? _scrubber;
    private readonly string _patientKey;
    private int? _shiftDays;

    // What the sequence being walked asks of the free text in it (the D of Content Sequence, the C
    // of Clean Structured Content); attributes the table does not list inherit it.
    private SequenceContent _content = SequenceContent.Plain;

    public InstanceRewriter(
        DicomDataset root,
        InstanceFacts facts,
        PseudonymisationProfile profile,
        PseudonymGenerator pseudonyms,
        bool needsScrubber,
        ReIdentificationStore? reIdentification,
        List<ExplainEntry>? explain)
    {
        _root = root;
        _facts = facts;
        _profile = profile;
        _pseudonyms = pseudonyms;
        _table = ConfidentialityProfileTable.Standard;
        _safePrivate = SafePrivateAttributes.Standard;
        _reIdentification = reIdentification;
        _explain = explain;

        // Values other rules read (a hash source) are taken before anything is rewritten.
        foreach (var rule in profile.AttributeRules)
        {
            if (rule.Source is { } source && root.GetString(source) is { } value)
            {
                _originalValues[source] = value.Trim();
            }
        }

        var patientId = root.GetString(DicomTags.PatientID)?.Trim();
        _patientKey = !string.IsNullOrEmpty(patientId)
            ? patientId + "^" + root.GetString(DicomTags.IssuerOfPatientID)?.Trim()
            : root.GetString(DicomTags.PatientName)?.Trim() + "^" + root.GetString(DicomTags.PatientBirthDate)?.Trim() is { Length: > 1 } nameKey
                ? "name:" + nameKey
                : "study:" + root.GetString(DicomTags.StudyInstanceUID)?.Trim();
        if (needsScrubber)
        {
            _scrubber = new IdentifyingTextScrubber();
            CollectIdentifyingValues(root);
        }

        // A replacement the instance's character set cannot hold moves the whole instance to UTF-8,
        // before anything is rewritten, so every value is decoded in the set it was written in.
        foreach (var rule in profile.AttributeRules)
        {
            var value = rule.Value ?? "";
            if (rule.Action == AttributeAction.Replace && rule.Condition.Matches(facts) &&
                (!root.CharacterSet.CanEncode(value, DicomDictionary.Find(rule.Tag)?.ValueRepresentation ?? DicomVR.LO) ||
                 (!System.Text.Ascii.IsValid(value) && CharacterSetUpgrade.HasNestedCharacterSet(root))))
            {
                CharacterSetUpgrade.ToUtf8(root);
                break;
            }
        }
    }

    private ConfidentialityOption Options => _profile.Options;

    private int ShiftDays => _shiftDays ??= ComputeShift();

    public void Run() => RewriteDataset(_root, "");

    private int ComputeShift()
    {
        var days = _pseudonyms.DateShiftDays(_patientKey, _profile.DateShiftMinDays, _profile.DateShiftMaxDays);
        _reIdentification?.Record("DateShiftDays", _patientKey, days.ToString(CultureInfo.InvariantCulture));
        return days;
    }

    private void RewriteDataset(DicomDataset dataset, string path)
    {
        var items = dataset.ToArray();
        HashSet<ushort>? removedOverlays = null;
        foreach (var item in items)
        {
            if ((item.Tag.Group & 0xFF01) == 0x6000 && item.Tag.Element == 0x3000 && Decide(item).Action is AttributeAction.Remove or AttributeAction.Clean)
            {
                // Without its Overlay Data the rest of the overlay group is invalid: it all goes. Under
                // Clean Graphics too: text and shapes cannot be told apart in a bitmap, so cleaning it is removing it.
                (removedOverlays ??= []).Add(item.Tag.Group);
            }
        }

        HashSet<DicomTag>? keptBlocks = null;
        foreach (var item in items)
        {
            var tag = item.Tag;
            if (tag == DicomTags.SpecificCharacterSet || tag.IsPrivateCreator)
            {
                continue;
            }

            if (tag.IsGroupLength || tag.Group == 0x0002)
            {
                Apply(dataset, item, new Decision(AttributeAction.Remove, tag.IsGroupLength ? "group length (recomputed)" : "file meta element in the data set"), path);
            }
            else if (tag.IsPrivate)
            {
                if (RewritePrivate(dataset, item, path))
                {
                    (keptBlocks ??= []).Add(tag.PrivateCreatorTag);
                }
            }
            else if (removedOverlays?.Contains(tag.Group) == true)
            {
                Apply(dataset, item, new Decision(AttributeAction.Remove, "overlay whose data is removed (X)"), path);
            }
            else
            {
                Apply(dataset, item, Decide(item), path);
            }
        }

        foreach (var item in items)
        {
            if (item.Tag.IsPrivateCreator && keptBlocks?.Contains(item.Tag) != true)
            {
                Apply(dataset, item, new Decision(AttributeAction.Remove, "private creator with nothing kept"), path);
            }
        }
    }

    private bool RewritePrivate(DicomDataset dataset, DicomItem item, string path)
    {
        var tag = item.Tag;
        var creator = (tag.Element >> 8) >= 0x10 ? dataset.GetString(tag.PrivateCreatorTag)?.Trim() : null;
        if (string.IsNullOrEmpty(creator))
        {
            Apply(dataset, item, new Decision(AttributeAction.Remove, "private element without a creator (X)"), path);
            return false;
        }

        var offset = (byte)tag.Element;
        var rule = _profile.FindPrivateRule(tag.Group, creator, offset, _facts);
        var keep = rule?.Keep ?? ((Options & ConfidentialityOption.RetainSafePrivate) != 0 && _safePrivate.IsSafe(tag.Group, creator, offset));
        var origin = rule is not null ? $"private rule of {rule.DeclaredIn}" : keep ? "safe private, Table E.3.10-1 (C)" : "private (X)";
        var action = keep ? AttributeAction.Keep : AttributeAction.Remove;
        if (keep && rule is null && item is DicomElement element)
        {
            var declared = _safePrivate.DeclaredVR(tag.Group, creator, offset);
            if (!MatchesDeclaredVR(element.VR, declared))
            {
                // The table's promise is about the attribute it describes; a value of another VR is something else.
                (action, origin) = (AttributeAction.Remove, $"safe private, Table E.3.10-1 (C), but its VR is {element.VR.Code()}, not {declared}");
            }
            else if (!IsCleanSafePrivateValue(dataset, element, declared))
            {
                // C on a safe private attribute: the table lists codes, numbers and flags. Free text
                // in one of them (a name typed where a colour was expected) is not what was declared safe.
                (action, origin) = (AttributeAction.Remove, "safe private, Table E.3.10-1 (C), but its value is free text, not a code");
            }
            else if (element.VR == DicomVR.UI || (element.VR == DicomVR.UN && declared == "UI"))
            {
                action = AttributeAction.Uid; // a safe attribute that refers to an instance still gets the mapped UID
            }
        }

        Apply(dataset, item, new Decision(action, origin), path, creator);
        return action != AttributeAction.Remove;
    }

    private static bool MatchesDeclaredVR(DicomVR actual, string? declared)
    {
        if (actual == DicomVR.UN || string.IsNullOrEmpty(declared))
        {
            return true;
        }

        return declared.Split('/').Any(code => DicomVRExtensions.TryParse(code.Trim(), out var vr) && vr == actual);
    }

    private static bool IsCleanSafePrivateValue(DicomDataset dataset, DicomElement element, string? declaredVR)
    {
        // Implicit VR files carry private elements the dictionary does not know as UN: judge them by
        // the VR the table declares.
        var vr = element.VR;
        if (vr == DicomVR.UN && DicomVRExtensions.TryParse(declaredVR, out var declared))
        {
            vr = declared;
        }

        if (vr == DicomVR.PN)
        {
            return false;
        }

        if (vr is not (DicomVR.LO or DicomVR.SH or DicomVR.LT or DicomVR.ST or DicomVR.UT or DicomVR.UC or DicomVR.CS or DicomVR.UN) || element.IsEmpty)
        {
            return true;
        }

        string text;
        try
        {
            text = dataset.CharacterSet.Decode(element.GetBytes().Span, vr == DicomVR.UN ? DicomVR.LO : vr).TrimEnd(' ', '\0');
        }
        catch (DicomException)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!(char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || " _-.,:;/\\+=()%*#<>".Contains(c, StringComparison.Ordinal)))
            {
                return false;
            }
        }

        return true;
    }

    private Decision Decide(DicomItem item)
    {
        if (_profile.FindRule(item.Tag, _facts) is { } rule)
        {
            return new Decision(rule.Action, $"rule of {rule.DeclaredIn}", rule);
        }

        if (_table.Find(item.Tag) is { } row)
        {
            var code = row.ActionFor(Options);
            var origin = $"{ConfidentialityActionCodes.Format(code)}, {(code == row.BasicAction ? "basic profile" : "option")}";
            if (ReferenceEquals(row, _table.CurveData) && code == ConfidentialityAction.Clean)
            {
                return new Decision(AttributeAction.Remove, origin + "; curve data cannot be cleaned, so it is removed");
            }

            return new Decision(Resolve(code, item), origin);
        }

        return Unlisted(item);
    }

    private static AttributeAction Resolve(ConfidentialityAction code, DicomItem item)
    {
        if (code.HasFlag(ConfidentialityAction.Keep))
        {
            return AttributeAction.Keep;
        }

        if (code.HasFlag(ConfidentialityAction.Clean))
        {
            return AttributeAction.Clean;
        }

        var isSequence = item is DicomSequence;
        if (code.HasFlag(ConfidentialityAction.Uid))
        {
            // U* on a sequence: the UIDs inside are replaced, by their own rows.
            return isSequence ? AttributeAction.Keep : AttributeAction.Uid;
        }

        switch (code)
        {
            case ConfidentialityAction.Remove:
                return AttributeAction.Remove;
            case ConfidentialityAction.Zero:
                return AttributeAction.Empty;
            case ConfidentialityAction.Dummy:
                return AttributeAction.Dummy; // on a sequence: its items are kept, their free text replaced by dummies
        }

        // X/Z, X/D, Z/D, X/Z/D: the choice depends on the attribute's Type in the IOD, which an
        // instance does not say. Keeping the element present, in a form no Type rejects, never makes
        // an output less valid than its input, and the value is gone either way.
        if (item is DicomSequence sequence)
        {
            // A sequence of references (UIDs and numbers only) is kept with its UIDs mapped: valid
            // whatever its Type. Otherwise X/Z empties it (Z is there for Type 2 sequences such as
            // Acquisition Context, and an empty Type 2 sequence is valid), while X/D and X/Z/D remove
            // it (the D would need an item of dummy codes; these sequences are Type 3 where used).
            if (sequence.Count > 0 && IsReferenceOnly(sequence))
            {
                return AttributeAction.Keep;
            }

            return code.HasFlag(ConfidentialityAction.Dummy) && code.HasFlag(ConfidentialityAction.Remove) ? AttributeAction.Remove : AttributeAction.Empty;
        }

        if (item is DicomElement { IsEmpty: true })
        {
            return AttributeAction.Empty;
        }

        return code.HasFlag(ConfidentialityAction.Dummy) ? AttributeAction.Dummy : AttributeAction.Empty;
    }

    private static bool IsReferenceOnly(DicomSequence sequence)
    {
        foreach (var item in sequence.Items)
        {
            foreach (var element in item)
            {
                var ok = element switch
                {
                    DicomSequence nested => IsReferenceOnly(nested),
                    _ => element.VR is DicomVR.UI or DicomVR.US or DicomVR.UL or DicomVR.SS or DicomVR.SL or DicomVR.IS or DicomVR.AT or DicomVR.FL or DicomVR.FD,
                };
                if (!ok)
                {
                    return false;
                }
            }
        }

        return true;
    }

    private Decision Unlisted(DicomItem item)
    {
        if (_profile.Mode == ProfileMode.AllowList && !IsEssential(item.Tag))
        {
            return new Decision(AttributeAction.Remove, "allow-list: not kept by a rule");
        }

        var empty = item is DicomElement { IsEmpty: true };
        var vr = item.VR;
        if (DicomDictionary.Find(item.Tag)?.ValueRepresentation is { } known and (DicomVR.DA or DicomVR.DT or DicomVR.UI or DicomVR.PN) && known != vr)
        {
            // A date, UID or name under another VR (UN from a file written without the dictionary,
            // or plain wrong) cannot be rewritten reliably: it goes.
            return new Decision(empty ? AttributeAction.Keep : AttributeAction.Remove, $"{known.Code()} stored as {vr.Code()}, not in Table E.1-1");
        }

        if (_content != SequenceContent.Plain && !empty && vr is DicomVR.LO or DicomVR.SH or DicomVR.ST or DicomVR.LT or DicomVR.UT or DicomVR.UC or DicomVR.PN or DicomVR.AE)
        {
            return _content == SequenceContent.Dummy
                ? new Decision(AttributeAction.Dummy, "free text in a sequence whose content is replaced (D)")
                : new Decision(AttributeAction.Clean, "free text in a sequence whose content is cleaned (C)");
        }

        switch (vr)
        {
            case DicomVR.DA or DicomVR.DT:
                // PS3.15 E.1.1: dates not in the table are handled by their VR like those that are.
                if ((Options & ConfidentialityOption.RetainLongitudinalTemporalInformationFullDates) != 0 || empty)
                {
                    return new Decision(AttributeAction.Keep, "date not in Table E.1-1, full dates retained");
                }

                return (Options & ConfidentialityOption.RetainLongitudinalTemporalInformationModifiedDates) != 0
                    ? new Decision(AttributeAction.Shift, "date not in Table E.1-1, dates modified")
                    : new Decision(AttributeAction.Dummy, "date not in Table E.1-1");
            case DicomVR.UI:
                if ((Options & ConfidentialityOption.RetainUids) != 0)
                {
                    return new Decision(AttributeAction.Keep, "UID, UIDs retained");
                }

                return NamesAKind(item.Tag)
                    ? new Decision(AttributeAction.Keep, "UID of a class or scheme, not of an instance")
                    : new Decision(AttributeAction.Uid, "UID not in Table E.1-1 (registered UIDs are kept)");
            case DicomVR.PN:
                return new Decision(empty ? AttributeAction.Keep : AttributeAction.Empty, "person name not in Table E.1-1");
            default:
                return new Decision(AttributeAction.Keep, "not in Table E.1-1");
        }
    }

    // SOP classes (standard or private), transfer syntaxes, coding schemes and the like name a kind of
    // thing, not a patient's instance: mapping them would only make them unrecognisable.
    private static bool NamesAKind(DicomTag tag)
    {
        var keyword = DicomDictionary.Find(tag)?.Keyword ?? "";
        return keyword.EndsWith("ClassUID", StringComparison.Ordinal) ||
            keyword.Contains("TransferSyntax", StringComparison.Ordinal) ||
            keyword.Contains("CodingScheme", StringComparison.Ordinal) ||
            keyword.Contains("MappingResource", StringComparison.Ordinal) ||
            keyword.Contains("ContextGroupExtensionCreator", StringComparison.Ordinal) ||
            keyword.Contains("TemplateExtensionCreator", StringComparison.Ordinal) ||
            keyword == "PrivateInformationCreatorUID" || keyword == "ApplicationContextName";
    }

    private static bool IsEssential(DicomTag tag) =>
        tag == DicomTags.SOPClassUID || tag == DicomTags.SOPInstanceUID || tag == DicomTags.StudyInstanceUID || tag == DicomTags.SeriesInstanceUID ||
        tag == DicomTags.Modality || tag.Group == 0x0028 || tag.Group == 0x7FE0;

    private void Apply(DicomDataset dataset, DicomItem item, Decision decision, string parentPath, string? privateCreator = null)
    {
        var path = parentPath.Length == 0 ? item.Tag.ToString() : parentPath + "." + item.Tag;
        var before = _explain is null ? null : Render(item, dataset);
        var replacement = Rewrite(dataset, item, decision, path);
        if (replacement is null)
        {
            dataset.Remove(item.Tag);
        }
        else if (!ReferenceEquals(replacement, item))
        {
            dataset.AddOrUpdate(replacement);
        }

        if (_explain is not null)
        {
            var name = privateCreator is not null
                ? $"[{privateCreator}] ({item.Tag.Group:X4},xx{item.Tag.Element & 0xFF:X2})"
                : DicomDictionary.Find(item.Tag)?.Keyword is { Length: > 0 } keyword ? keyword : "?";
            var action = decision.Action.ToString().ToLowerInvariant() + " (" + decision.Origin + ")";
            _explain.Add(new ExplainEntry(path, name, action, before!, replacement is null ? "(removed)" : Render(replacement, dataset)));
        }
    }

    /// <summary>The item to put in place of <paramref name="item"/>: itself, a new element, or null to remove it.</summary>
    private DicomItem? Rewrite(DicomDataset dataset, DicomItem item, Decision decision, string path)
    {
        switch (decision.Action)
        {
            case AttributeAction.Remove:
                return null;
            case AttributeAction.Keep:
                RecurseInto(item, path, _content);
                return item;
            case AttributeAction.Empty:
                return item is DicomSequence ? new DicomSequence(item.Tag) : new DicomElement(item.Tag, item.VR, ReadOnlyMemory<byte>.Empty);
            case AttributeAction.Dummy:
                if (item is DicomSequence)
                {
                    RecurseInto(item, path, SequenceContent.Dummy);
                    return item;
                }

                return item.VR == DicomVR.UI ? MapUids(dataset, item, path) : DummyValues.For(item.Tag, item.VR);
        }

        if (item is DicomSequence)
        {
            // Clean on a sequence cleans the free text in it; uid, hash, shift or replace leave its items to their own rules.
            RecurseInto(item, path, decision.Action == AttributeAction.Clean ? SequenceContent.Clean : _content);
            return item;
        }

        if (item is not DicomElement element || element.VR == DicomVR.UN)
        {
            // An encapsulated value, or one whose VR is unknown, cannot be rewritten as text: it goes.
            return null;
        }

        return decision.Action switch
        {
            AttributeAction.Uid => MapUids(dataset, element, path),
            AttributeAction.Hash => Hash(dataset, element, decision.Rule),
            AttributeAction.Shift => Shift(dataset, element),
            AttributeAction.Replace => Replace(dataset, element, decision.Rule!.Value ?? ""),
            AttributeAction.Clean => Clean(dataset, element, path),
            _ => throw new InvalidOperationException($"Action {decision.Action} is not handled."),
        };
    }

    private void RecurseInto(DicomItem item, string path, SequenceContent content)
    {
        if (item is not DicomSequence sequence)
        {
            return;
        }

        var outer = _content;
        _content = (SequenceContent)Math.Max((int)outer, (int)content); // dummies inside a cleaned sequence stay dummies
        try
        {
            for (var i = 0; i < sequence.Count; i++)
            {
                RewriteDataset(sequence[i], path + "[" + i.ToString(CultureInfo.InvariantCulture) + "]");
            }
        }
        finally
        {
            _content = outer;
        }
    }

    private DicomItem MapUids(DicomDataset dataset, DicomItem item, string path)
    {
        if (item is not DicomElement element || (Options & ConfidentialityOption.RetainUids) != 0)
        {
            return item;
        }

        var values = element.GetText(DicomCharacterSet.Default).Split('\\');
        for (var i = 0; i < values.Length; i++)
        {
            var original = values[i].Trim('\0', ' ');
            if (original.Length == 0 || DicomUidRegistry.Find(original) is not null)
            {
                values[i] = original;
                continue;
            }

            values[i] = _pseudonyms.Uid(original);
            if (_reIdentification is not null && !path.Contains('.', StringComparison.Ordinal) && (item.Tag == DicomTags.StudyInstanceUID || item.Tag == DicomTags.SeriesInstanceUID))
            {
                _reIdentification.Record(DicomDictionary.Find(item.Tag)!.Keyword, original, values[i]);
            }
        }

        return Text(dataset, item.Tag, DicomVR.UI, string.Join('\\', values));
    }

    private DicomElement Hash(DicomDataset dataset, DicomElement element, AttributeRule? rule)
    {
        var source = rule?.Source;
        var domain = DicomDictionary.Find(source ?? element.Tag)?.Keyword ?? element.Tag.ToString();
        string[] originals = source is { } sourceTag
            ? [_originalValues.GetValueOrDefault(sourceTag, "")]
            : element.GetStrings(dataset.CharacterSet);
        var values = new string[originals.Length];
        for (var i = 0; i < originals.Length; i++)
        {
            var original = originals[i].Trim();
            values[i] = original.Length == 0 ? "" : _pseudonyms.Identifier(domain, original);
            if (original.Length > 0)
            {
                _reIdentification?.Record(domain, original, values[i]);
            }
        }

        return Text(dataset, element.Tag, element.VR, string.Join('\\', values));
    }

    private DicomElement Shift(DicomDataset dataset, DicomElement element)
    {
        if (element.IsEmpty || element.VR == DicomVR.TM)
        {
            return element; // a time of day alone says nothing once the dates moved
        }

        var text = element.GetText(dataset.CharacterSet);
        return element.VR switch
        {
            DicomVR.DA => Text(dataset, element.Tag, element.VR, DateShifter.ShiftDates(text, ShiftDays)),
            DicomVR.DT => Text(dataset, element.Tag, element.VR, DateShifter.ShiftDateTimes(text, ShiftDays)),
            _ => element,
        };
    }

    // The character set was settled before the walk (see the constructor): the value fits.
    private static DicomElement Replace(DicomDataset dataset, DicomElement element, string value) => Text(dataset, element.Tag, element.VR, value);

    private DicomItem? Clean(DicomDataset dataset, DicomElement element, string path)
    {
        switch (element.VR)
        {
            case DicomVR.DA or DicomVR.DT:
                if ((Options & ConfidentialityOption.RetainLongitudinalTemporalInformationModifiedDates) != 0)
                {
                    return Shift(dataset, element);
                }

                return (Options & ConfidentialityOption.RetainLongitudinalTemporalInformationFullDates) != 0 || element.IsEmpty
                    ? element
                    : DummyValues.For(element.Tag, element.VR);
            case DicomVR.TM:
                return element;
            case DicomVR.UI:
                return MapUids(dataset, element, path);
            case DicomVR.AS:
                return CleanAge(dataset, element);
        }

        if (!element.VR.IsString() || element.IsEmpty || _scrubber is null)
        {
            return element;
        }

        var text = element.GetText(dataset.CharacterSet);
        var cleaned = _scrubber.Scrub(text);
        if (ReferenceEquals(cleaned, text) || cleaned == text)
        {
            return element;
        }

        var max = element.VR.MaxValueLength();
        if (max > 0 && !element.VR.IsSingleValuedText())
        {
            cleaned = string.Join('\\', cleaned.Split('\\').Select(v => v.Length > max ? v[..max] : v));
        }

        return Text(dataset, element.Tag, element.VR, cleaned);
    }

    // Ages over 89 are rare enough to identify (the HIPAA Safe Harbor rule): they are reported as 90.
    private static DicomElement CleanAge(DicomDataset dataset, DicomElement element)
    {
        var text = element.GetText(dataset.CharacterSet).Trim();
        return text.Length == 4 && text[3] == 'Y' && int.TryParse(text.AsSpan(0, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var years) && years > 89
            ? Text(dataset, element.Tag, element.VR, "090Y")
            : element;
    }

    private static DicomElement Text(DicomDataset dataset, DicomTag tag, DicomVR vr, string text)
    {
        var bytes = vr.UsesSpecificCharacterSet() ? dataset.CharacterSet.Encode(text, vr) : Encoding.ASCII.GetBytes(text);
        return new DicomElement(tag, vr, bytes);
    }


    private void CollectIdentifyingValues(DicomDataset dataset)
    {
        var dates = (Options & ConfidentialityOption.RetainLongitudinalTemporalInformationFullDates) == 0;
        foreach (var item in dataset)
        {
            if (item is DicomSequence sequence)
            {
                foreach (var child in sequence.Items)
                {
                    CollectIdentifyingValues(child);
                }

                continue;
            }

            if (item is not DicomElement { IsEmpty: false } element || item.Tag.IsPrivate)
            {
                continue;
            }

            switch (element.VR)
            {
                case DicomVR.PN:
                    foreach (var name in element.GetStrings(dataset.CharacterSet))
                    {
                        _scrubber!.AddPersonName(name);
                    }

                    break;
                case DicomVR.DA when dates:
                    foreach (var date in element.GetStrings(dataset.CharacterSet))
                    {
                        _scrubber!.AddDate(date);
                    }

                    break;
                case DicomVR.LO or DicomVR.SH or DicomVR.ST or DicomVR.LT or DicomVR.UC:
                    var action = _table.Find(item.Tag)?.ActionFor(Options);
                    if (action is { } code && (code & (ConfidentialityAction.Keep | ConfidentialityAction.Clean | ConfidentialityAction.Uid)) == 0)
                    {
                        foreach (var value in element.GetStrings(dataset.CharacterSet))
                        {
                            _scrubber!.AddValue(value);
                        }
                    }

                    break;
            }
        }
    }

    private static string Render(DicomItem item, DicomDataset dataset)
    {
        switch (item)
        {
            case DicomSequence sequence:
                return $"<{sequence.Count} item(s)>";
            case DicomElement element when element.IsEmpty:
                return "(empty)";
            case DicomElement element when element.VR.IsString() && element.Length <= 1024:
                try
                {
                    var text = element.GetText(dataset.CharacterSet);
                    return text.Length > 80 ? text[..77] + "..." : text;
                }
                catch (DicomException)
                {
                    return $"<{element.Length} bytes, not decodable>";
                }

            case DicomElement element:
                return $"<{element.Length} bytes>";
            default:
                return "<encapsulated>";
        }
    }
}
