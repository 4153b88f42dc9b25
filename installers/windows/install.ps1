<#
.SYNOPSIS
  Installs NodeAgent as a Windows service from a self-contained win-x64 publish.

.DESCRIPTION
  Copies the program to Program Files, creates the site folder under ProgramData (configuration,
  site secret, data) with ACLs for Administrators, SYSTEM and the service's virtual account only,
  registers the event log source, creates the service under its virtual account
  (NT SERVICE\NodeAgent) with recovery actions (restart after 10 s, 30 s, 60 s), and starts it.
  An existing configuration, secret and data are kept: run it again to upgrade.

.EXAMPLE
  PS> .\install.ps1 -Source .\publish
#>

#Requires -Version 5.1
#Requires -RunAsAdministrator
[CmdletBinding()]
param(
    # The folder of a self-contained win-x64 publish (dotnet publish -r win-x64 --self-contained).
    [Parameter(Mandatory = $true)][string]$Source,
    [string]$InstallDir = (Join-Path $env:ProgramFiles 'NodeAgent'),
    [string]$DataRoot = (Join-Path $env:ProgramData 'NodeAgent'),
    [switch]$NoStart
)
$ErrorActionPreference = 'Stop'
$ServiceName = 'NodeAgent'
$Account = "NT SERVICE\$ServiceName"
# Relative paths, as given, would be taken from .NET's current directory, not PowerShell's location.
$Source = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($Source)
$InstallDir = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($InstallDir)
$DataRoot = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($DataRoot)

if (-not (Test-Path (Join-Path $Source 'nodeagent.exe'))) {
    throw "No nodeagent.exe in ${Source}: give the folder of a self-contained win-x64 publish."
}

# An upgrade stops the service first; its configuration, secret and data stay where they are.
$existing = Get-Service -Name $ServiceName -ErrorAction SilentlyContinue
if ($existing -and $existing.Status -ne 'Stopped') {
    Stop-Service -Name $ServiceName -Force
    $existing.WaitForStatus('Stopped', [TimeSpan]::FromSeconds(90))
}

New-Item -ItemType Directory -Force -Path $InstallDir | Out-Null
Copy-Item -Path (Join-Path $Source '*') -Destination $InstallDir -Recurse -Force -Exclude '*.pdb'

# The service must exist before its virtual account can be named in ACLs.
$siteFile = Join-Path $DataRoot 'appsettings.json'
if (-not $existing) {
    New-Service -Name $ServiceName -DisplayName 'NodeAgent' `
        -Description 'Federated cancer-imaging node: PACS catalogue, pseudonymisation, federation answers.' `
        -BinaryPathName "`"$(Join-Path $InstallDir 'nodeagent.exe')`" run --config `"$siteFile`"" `
        -StartupType Automatic | Out-Null
}
function Invoke-Sc([string[]]$Arguments) {
    & sc.exe @Arguments | Out-Null
    if ($LASTEXITCODE -ne 0) { throw "sc.exe $($Arguments -join ' ') failed ($LASTEXITCODE)." }
}
# Never left as LocalSystem: the virtual account, or the install stops here.
Invoke-Sc @('config', $ServiceName, 'obj=', $Account)
Invoke-Sc @('config', $ServiceName, 'start=', 'delayed-auto')
# Recovery: restart after 10 s, 30 s, 60 s; the failure count resets after a day.
Invoke-Sc @('failure', $ServiceName, 'reset=', '86400', 'actions=', 'restart/10000/restart/30000/restart/60000')
Invoke-Sc @('failureflag', $ServiceName, '1')

# The site folder is made, or taken back, with its ACL and owner first, before any secret is in it:
# ProgramData lets every local user create folders, so one made in advance by someone else would
# otherwise be kept, with its owner's rights and the secret they chose. Accounts by SID: their names
# are translated on a German or French Windows (VORDEFINIERT\Administratoren).
$admins = New-Object Security.Principal.SecurityIdentifier('S-1-5-32-544')
$system = New-Object Security.Principal.SecurityIdentifier('S-1-5-18')
$inherit = [Security.AccessControl.InheritanceFlags]'ContainerInherit, ObjectInherit'
$none = [Security.AccessControl.PropagationFlags]::None
function New-SiteAcl([string]$ServiceRights) {
    $acl = New-Object Security.AccessControl.DirectorySecurity
    $acl.SetOwner($admins)
    $acl.SetAccessRuleProtection($true, $false)
    foreach ($who in @($admins, $system)) {
        $acl.AddAccessRule((New-Object Security.AccessControl.FileSystemAccessRule($who, 'FullControl', $inherit, $none, 'Allow')))
    }
    $acl.AddAccessRule((New-Object Security.AccessControl.FileSystemAccessRule($Account, $ServiceRights, $inherit, $none, 'Allow')))
    return $acl
}
$existed = Test-Path $DataRoot
if ($existed) {
    $acl = Get-Acl -Path $DataRoot
    if ($acl.GetOwner([Security.Principal.SecurityIdentifier]).Value -notin @($admins.Value, $system.Value)) {
        throw "$DataRoot exists and is owned by $($acl.Owner), not by Administrators or SYSTEM: someone else made it. Inspect it, remove it, and install again."
    }
}
New-Item -ItemType Directory -Force -Path $DataRoot | Out-Null
# The service reads its configuration and secret; it writes only under data\.
Set-Acl -Path $DataRoot -AclObject (New-SiteAcl 'ReadAndExecute')
# Made by someone else between the check above and New-Item: a folder made now is empty.
if (-not $existed -and @(Get-ChildItem -Path $DataRoot -Force).Count -gt 0) {
    throw "$DataRoot was filled by someone else while it was being made. Inspect it, remove it, and install again."
}
Get-ChildItem -Path $DataRoot -Recurse -Force | ForEach-Object {
    $acl = Get-Acl -Path $_.FullName
    $acl.SetOwner($admins)
    $acl.SetAccessRuleProtection($false, $false)
    foreach ($rule in @($acl.Access | Where-Object { -not $_.IsInherited })) { [void]$acl.RemoveAccessRule($rule) }
    Set-Acl -Path $_.FullName -AclObject $acl
}
$dataDir = Join-Path $DataRoot 'data'
New-Item -ItemType Directory -Force -Path $dataDir | Out-Null
Set-Acl -Path $dataDir -AclObject (New-SiteAcl 'Modify')

if (-not (Test-Path $siteFile)) {
    $site = [ordered]@{
        NodeAgent = [ordered]@{
            SiteSecretFile = (Join-Path $DataRoot 'site.secret')
            HealthListen   = '127.0.0.1:50052'
            Catalogue      = @{ Path = (Join-Path $dataDir 'catalogue.db') }
            Federation     = @{ Enabled = $false }
            Sources        = @{}
        }
    }
    $site | ConvertTo-Json -Depth 5 | Set-Content -Path $siteFile -Encoding UTF8
}

# The site secret keys every pseudonym and the audit log: made once, never replaced; written only
# now that the folder's ACL admits nobody else.
$secretFile = Join-Path $DataRoot 'site.secret'
if (-not (Test-Path $secretFile)) {
    # Create() and GetBytes(): .NET Framework (Windows PowerShell 5.1) has no static Fill.
    $bytes = New-Object byte[] 32
    $random = [Security.Cryptography.RandomNumberGenerator]::Create()
    try { $random.GetBytes($bytes) } finally { $random.Dispose() }
    [IO.File]::WriteAllBytes($secretFile, $bytes)
}

# The .NET call, not New-EventLog: PowerShell 7 has no *-EventLog cmdlets.
if (-not [Diagnostics.EventLog]::SourceExists($ServiceName)) {
    [Diagnostics.EventLog]::CreateEventSource($ServiceName, 'Application')
}

# The command line for an administrator's next shell. The machine's Path is read and written as it is
# stored (%SystemRoot% and the like unexpanded, REG_EXPAND_SZ), not as .NET's Environment expands it.
$environmentKey = [Microsoft.Win32.Registry]::LocalMachine.OpenSubKey('SYSTEM\CurrentControlSet\Control\Session Manager\Environment', $true)
try {
    $machinePath = [string]$environmentKey.GetValue('Path', '', [Microsoft.Win32.RegistryValueOptions]::DoNotExpandEnvironmentNames)
    if (@($machinePath -split ';' | Where-Object { $_.TrimEnd('\') -eq $InstallDir.TrimEnd('\') }).Count -eq 0) {
        $environmentKey.SetValue('Path', "$machinePath;$InstallDir", [Microsoft.Win32.RegistryValueKind]::ExpandString)
    }
} finally {
    if ($environmentKey) { $environmentKey.Dispose() }
}
# Written past .NET, the change is announced by .NET: removing a variable that is not there makes
# Environment broadcast WM_SETTINGCHANGE, so that shells started from Explorer see the new Path.
[Environment]::SetEnvironmentVariable('NODEAGENT_INSTALL_NOTICE', $null, 'Machine')

# The check prints its findings on stderr: with 'Stop', Windows PowerShell 5.1 would turn the first
# line into an error (when stderr is redirected, as in remoting) before the warning below.
$ErrorActionPreference = 'Continue'
# A program that does not start at all (AppLocker, say) leaves the last exit code as it was.
$global:LASTEXITCODE = -1
& (Join-Path $InstallDir 'nodeagent.exe') run --config $siteFile --check
$checked = $LASTEXITCODE
$ErrorActionPreference = 'Stop'
if ($checked -ne 0) {
    Write-Warning "The configuration has problems (above); fix $siteFile, then: Start-Service $ServiceName"
    return
}
if (-not $NoStart) {
    Start-Service -Name $ServiceName
}
Write-Host "NodeAgent installed in $InstallDir; configuration $siteFile. Check it with: nodeagent doctor --config `"$siteFile`""
