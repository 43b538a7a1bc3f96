; Inno Setup script: a per-user installer for the one-folder bundle in dist\CreditDesk.
;   ISCC.exe /DAppVersion=0.2.0 packaging\windows\creditdesk.iss   ->  dist\CreditDesk-Setup-0.2.0.exe
; Installs without administrator rights under %LOCALAPPDATA%\Programs\CreditDesk; the data stays in
; %LOCALAPPDATA%\CreditDesk and is never removed by the uninstaller (it is the county's credit data).
#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif

[Setup]
AppId={{8C3B3D52-6E0B-4C8C-9D59-0F3C4B1E2A15}
AppName=医保信用管理系统
AppVersion={#AppVersion}
AppPublisher=CreditDesk
DefaultDirName={localappdata}\Programs\CreditDesk
DefaultGroupName=医保信用管理系统
PrivilegesRequired=lowest
OutputDir=..\..\dist
OutputBaseFilename=CreditDesk-Setup-{#AppVersion}
Compression=lzma2
SolidCompression=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
UninstallDisplayIcon={app}\CreditDesk.exe
WizardStyle=modern

[Files]
Source: "..\..\dist\CreditDesk\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\医保信用管理系统"; Filename: "{app}\CreditDesk.exe"
Name: "{userdesktop}\医保信用管理系统"; Filename: "{app}\CreditDesk.exe"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "在桌面创建快捷方式"; Flags: unchecked

[Run]
Filename: "{app}\CreditDesk.exe"; Description: "启动医保信用管理系统"; Flags: nowait postinstall skipifsilent
