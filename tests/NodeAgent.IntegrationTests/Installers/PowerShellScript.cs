using System.Management.Automation.Language;

namespace NodeAgent.IntegrationTests.Installers;

/// <summary>
/// A PowerShell script as PowerShell's own parser (System.Management.Automation) reads it: its parse
/// errors, and what it calls and names, each with the line it is on, for checks that need no Windows.
/// </summary>
internal sealed partial class PowerShellScript
{
    // Set by PowerShell itself, never by a script.
    private static readonly HashSet<string> AutomaticVariables = new(
        ["true", "false", "null", "_", "PSItem", "this", "LASTEXITCODE", "args", "input", "PSScriptRoot", "PSCommandPath", "Error", "Matches",
         "PSBoundParameters", "MyInvocation", "PSCmdlet", "Host", "PSVersionTable", "HOME", "PWD", "ExecutionContext", "ErrorActionPreference"],
        StringComparer.OrdinalIgnoreCase);

    private readonly ScriptBlockAst _ast;
    private readonly Token[] _tokens;

    private PowerShellScript(string path, ScriptBlockAst ast, Token[] tokens, ParseError[] errors)
    {
        Path = path;
        _ast = ast;
        _tokens = tokens;
        Errors = errors;
    }

    public string Path { get; }

    public IReadOnlyList<ParseError> Errors { get; }

    /// <summary>What the script's <c>#Requires</c> lines ask for (null when it has none).</summary>
    public ScriptRequirements? Requirements => _ast.ScriptRequirements;

    public static PowerShellScript Parse(string path)
    {
        var ast = Parser.ParseFile(path, out var tokens, out var errors);
        return new PowerShellScript(path, ast, tokens, errors);
    }

    /// <summary>
    /// Syntax PowerShell 7 added, which the parser used here (7.6's) takes and Windows PowerShell 5.1
    /// refuses, so that the whole script does not start there: <c>a ? b : c</c>, <c>&amp;&amp;</c> and
    /// <c>||</c> between pipelines, <c>??</c> and <c>??=</c>, <c>?.</c> and <c>?[]</c>, a <c>clean</c>
    /// block, a pipeline sent to the background with <c>&amp;</c>, a generic method's type arguments
    /// (<c>[Linq.Enumerable]::Empty[string]()</c>), the <c>`e</c> and <c>`u{}</c> escapes, binary
    /// numbers (<c>0b101</c>) and the integer type suffixes (<c>5u</c>, <c>7y</c>, <c>1n</c>...).
    /// </summary>
    public IEnumerable<(string What, int Line)> SyntaxOnlyPowerShell7Accepts()
    {
        foreach (var ast in _ast.FindAll(_ => true, searchNestedScriptBlocks: true))
        {
            var what = ast switch
            {
                TernaryExpressionAst => "a ? b : c",
                PipelineChainAst => "&& or || between pipelines",
                BinaryExpressionAst { Operator: TokenKind.QuestionQuestion } => "??",
                AssignmentStatementAst { Operator: TokenKind.QuestionQuestionEquals } => "??=",
                MemberExpressionAst { NullConditional: true } => "?.",
                IndexExpressionAst { NullConditional: true } => "?[]",
                ScriptBlockAst { CleanBlock: not null } => "a clean block",
                PipelineAst { Background: true } => "& (a pipeline sent to the background)",
                InvokeMemberExpressionAst { GenericTypeArguments.Count: > 0 } => "a generic method's type arguments",
                _ => null,
            };
            if (what is not null)
            {
                yield return (what, ast.Extent.StartLineNumber);
            }
        }

        foreach (var token in _tokens.Where(t => t.Kind is TokenKind.StringExpandable or TokenKind.HereStringExpandable))
        {
            if (token.Text.Contains("`e", StringComparison.Ordinal) || token.Text.Contains("`u{", StringComparison.Ordinal))
            {
                yield return ("the `e or `u{} escape", token.Extent.StartLineNumber);
            }
        }

        foreach (var token in _tokens.Where(t => t.Kind is TokenKind.Number && PowerShell7Number().IsMatch(t.Text)))
        {
            yield return ($"the number {token.Text}", token.Extent.StartLineNumber);
        }
    }

    // 0b binary, and the suffixes y uy s us u ul n (5.1 knows l and d), before any kb..pb multiplier.
    [System.Text.RegularExpressions.GeneratedRegex("^0b|^[0-9][0-9_.e]*(uy|us|ul|u|y|s|n)(kb|mb|gb|tb|pb)?$", System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex PowerShell7Number();

    /// <summary>Commands called by a constant name, other than the script's own functions.</summary>
    public IEnumerable<(string Name, int Line)> Commands()
    {
        var own = Find<FunctionDefinitionAst>().Select(f => f.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return Find<CommandAst>().Select(c => (Name: c.GetCommandName(), Line: c.Extent.StartLineNumber))
            .Where(c => c.Name is not null && !own.Contains(c.Name))!;
    }

    /// <summary>
    /// Every .NET type named: in brackets (<c>[IO.File]</c>, <c>[string]$x</c>, a generic's arguments
    /// too, as <c>List`1</c> and <c>string</c>) and as <c>New-Object</c>'s type. Attributes
    /// (<c>[ValidateNotNull()]</c>) are PowerShell's own, not checked here.
    /// </summary>
    public IEnumerable<(string Name, int Line)> TypeNames()
    {
        var bracketed = Find<TypeExpressionAst>().Select(t => (t.TypeName, t.Extent))
            .Concat(Find<TypeConstraintAst>().Select(t => (t.TypeName, t.Extent)))
            .SelectMany(t => Named(t.TypeName).Select(name => (Name: name, Line: t.Extent.StartLineNumber)));
        var created = Find<CommandAst>().Where(c => string.Equals(c.GetCommandName(), "New-Object", StringComparison.OrdinalIgnoreCase))
            .Select(c => (Name: NewObjectType(c), Line: c.Extent.StartLineNumber))
            .Where(c => c.Name is not null);
        return bracketed.Concat(created!);
    }

    /// <summary>
    /// Static members used (<c>[IO.File]::WriteAllBytes($a, $b)</c>, <c>[Text.StringBuilder]::new()</c>):
    /// the arguments' count when it is a call, null for a property or field. Array and generic types
    /// are left out (their members are the runtime's own: <c>[byte[]]::new(32)</c>).
    /// </summary>
    public IEnumerable<(string Type, string Member, int? Arguments, int Line)> StaticMembers() =>
        Find<MemberExpressionAst>().Where(m => m.Static && m.Expression is TypeExpressionAst { TypeName: TypeName } && m.Member is StringConstantExpressionAst)
            .Select(m => (
                Type: ((TypeExpressionAst)m.Expression).TypeName.FullName,
                Member: ((StringConstantExpressionAst)m.Member).Value,
                Arguments: m is InvokeMemberExpressionAst call ? call.Arguments?.Count ?? 0 : (int?)null,
                Line: m.Extent.StartLineNumber));

    /// <summary>
    /// Variables read that the script never sets anywhere (a parameter, an assignment, a loop's
    /// variable), other than PowerShell's automatic ones and <c>$env:</c>: a misspelt name. Scope and
    /// order are not followed (a variable set in one function counts as set in all, and a use before
    /// the assignment is not found), nor -OutVariable and the like.
    /// </summary>
    public IEnumerable<(string Name, int Line)> VariablesNeverSet()
    {
        var set = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var assignment in Find<AssignmentStatementAst>())
        {
            set.UnionWith(Assigned(assignment.Left));
        }

        set.UnionWith(Find<ParameterAst>().Select(p => NameOf(p.Name.VariablePath)));
        set.UnionWith(Find<ForEachStatementAst>().Select(f => NameOf(f.Variable.VariablePath)));
        return Find<VariableExpressionAst>()
            .Where(v => !v.VariablePath.IsDriveQualified && !AutomaticVariables.Contains(NameOf(v.VariablePath)) && !set.Contains(NameOf(v.VariablePath)))
            .Select(v => (NameOf(v.VariablePath), v.Extent.StartLineNumber));
    }

    // $x, $script:x, [int]$x, [ValidateNotNull()][int]$x, $a, $b = ...
    private static IEnumerable<string> Assigned(ExpressionAst left) => left switch
    {
        VariableExpressionAst variable => [NameOf(variable.VariablePath)],
        AttributedExpressionAst attributed => Assigned(attributed.Child),
        ArrayLiteralAst list => list.Elements.SelectMany(Assigned),
        _ => [],
    };

    /// <summary>A variable's name without its scope ($script:x and $x are one name here).</summary>
    private static string NameOf(System.Management.Automation.VariablePath path) => path.UserPath[(path.UserPath.IndexOf(':', StringComparison.Ordinal) + 1)..];

    /// <summary>The .NET type names in a script's type name: an array's element, a generic and its arguments.</summary>
    private static IEnumerable<string> Named(ITypeName typeName) => typeName switch
    {
        ArrayTypeName array => Named(array.ElementType),
        GenericTypeName generic => Named(generic.TypeName).Select(n => $"{n}`{generic.GenericArguments.Count}").Concat(generic.GenericArguments.SelectMany(Named)),
        _ => [typeName.FullName],
    };

    /// <summary>New-Object's type: its -TypeName, or its first positional argument (<c>New-Object byte[] 32</c>).</summary>
    private static string? NewObjectType(CommandAst command)
    {
        var elements = command.CommandElements;
        for (var i = 1; i < elements.Count; i++)
        {
            if (elements[i] is CommandParameterAst parameter)
            {
                if ("TypeName".StartsWith(parameter.ParameterName, StringComparison.OrdinalIgnoreCase))
                {
                    // -TypeName:Foo carries its value; -TypeName Foo has it next.
                    return ((parameter.Argument ?? (i + 1 < elements.Count ? elements[i + 1] : null)) as StringConstantExpressionAst)?.Value;
                }

                if (!string.Equals(parameter.ParameterName, "Strict", StringComparison.OrdinalIgnoreCase) && parameter.Argument is null)
                {
                    i++; // its value (-Strict is a switch; -Name:value carries its own)
                }

                continue;
            }

            return (elements[i] as StringConstantExpressionAst)?.Value;
        }

        return null;
    }

    private IEnumerable<T> Find<T>()
        where T : Ast => _ast.FindAll(a => a is T, searchNestedScriptBlocks: true).Cast<T>();
}
