using System.Management.Automation.Language;

namespace NodeAgent.IntegrationTests.Installers;

/// <summary>
/// A PowerShell script as PowerShell's own parser (System.Management.Automation) reads it: its parse
/// errors, and what it calls and names, each with the line it is on, for checks that need no Windows.
/// </summary>
internal sealed class PowerShellScript
{
    // Set by PowerShell itself, never by a script.
    private static readonly HashSet<string> AutomaticVariables = new(["true", "false", "null", "_", "PSItem", "LASTEXITCODE", "args", "input", "PSScriptRoot", "PSCommandPath", "Error", "Matches"], StringComparer.OrdinalIgnoreCase);

    private readonly ScriptBlockAst _ast;

    private PowerShellScript(string path, ScriptBlockAst ast, ParseError[] errors)
    {
        Path = path;
        _ast = ast;
        Errors = errors;
    }

    public string Path { get; }

    public IReadOnlyList<ParseError> Errors { get; }

    public static PowerShellScript Parse(string path)
    {
        var ast = Parser.ParseFile(path, out _, out var errors);
        return new PowerShellScript(path, ast, errors);
    }

    /// <summary>Commands called by a constant name, other than the script's own functions.</summary>
    public IEnumerable<(string Name, int Line)> Commands()
    {
        var own = Find<FunctionDefinitionAst>().Select(f => f.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return Find<CommandAst>().Select(c => (Name: c.GetCommandName(), Line: c.Extent.StartLineNumber))
            .Where(c => c.Name is not null && !own.Contains(c.Name))!;
    }

    /// <summary>Every .NET type named: in brackets (<c>[IO.File]</c>, <c>[string]$x</c>) and as <c>New-Object</c>'s type.</summary>
    public IEnumerable<(string Name, int Line)> TypeNames()
    {
        var bracketed = Find<TypeExpressionAst>().Select(t => (t.TypeName, t.Extent))
            .Concat(Find<TypeConstraintAst>().Select(t => (t.TypeName, t.Extent)))
            .Select(t => (Name: (t.TypeName is ArrayTypeName array ? array.ElementType : t.TypeName).FullName, Line: t.Extent.StartLineNumber));
        var created = Find<CommandAst>().Where(c => string.Equals(c.GetCommandName(), "New-Object", StringComparison.OrdinalIgnoreCase))
            .Select(c => (Name: NewObjectType(c), Line: c.Extent.StartLineNumber))
            .Where(c => c.Name is not null);
        return bracketed.Concat(created!);
    }

    /// <summary>Static members used (<c>[IO.File]::WriteAllBytes($a, $b)</c>): the arguments' count when it is a call, null for a property or field.</summary>
    public IEnumerable<(string Type, string Member, int? Arguments, int Line)> StaticMembers() =>
        Find<MemberExpressionAst>().Where(m => m.Static && m.Expression is TypeExpressionAst && m.Member is StringConstantExpressionAst)
            .Select(m => (
                Type: ((TypeExpressionAst)m.Expression).TypeName.FullName,
                Member: ((StringConstantExpressionAst)m.Member).Value,
                Arguments: m is InvokeMemberExpressionAst call ? call.Arguments?.Count ?? 0 : (int?)null,
                Line: m.Extent.StartLineNumber));

    /// <summary>Variables read that the script never sets (a parameter, an assignment, a loop's variable), other than PowerShell's automatic ones and <c>$env:</c>.</summary>
    public IEnumerable<(string Name, int Line)> VariablesNeverSet()
    {
        var set = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var assignment in Find<AssignmentStatementAst>())
        {
            if (Assigned(assignment.Left) is { } name)
            {
                set.Add(name);
            }
        }

        set.UnionWith(Find<ParameterAst>().Select(p => p.Name.VariablePath.UserPath));
        set.UnionWith(Find<ForEachStatementAst>().Select(f => f.Variable.VariablePath.UserPath));
        return Find<VariableExpressionAst>()
            .Where(v => !v.VariablePath.IsDriveQualified && !AutomaticVariables.Contains(v.VariablePath.UserPath) && !set.Contains(v.VariablePath.UserPath))
            .Select(v => (v.VariablePath.UserPath, v.Extent.StartLineNumber));
    }

    private static string? Assigned(ExpressionAst left) => left switch
    {
        VariableExpressionAst variable => variable.VariablePath.UserPath,
        ConvertExpressionAst { Child: VariableExpressionAst variable } => variable.VariablePath.UserPath, // [int]$x = ...
        _ => null,
    };

    /// <summary>New-Object's type: its -TypeName, or its first positional argument (<c>New-Object byte[] 32</c>).</summary>
    private static string? NewObjectType(CommandAst command)
    {
        var elements = command.CommandElements;
        for (var i = 1; i < elements.Count; i++)
        {
            if (elements[i] is CommandParameterAst parameter)
            {
                if ("TypeName".StartsWith(parameter.ParameterName, StringComparison.OrdinalIgnoreCase) && i + 1 < elements.Count)
                {
                    return (elements[i + 1] as StringConstantExpressionAst)?.Value;
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
