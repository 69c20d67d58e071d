"""This module defines the data of 《国家重点支持的高新技术领域》 (国科发火〔2016〕32号 annex).

All three levels, one line per heading: `code 中文名称 | English name`. Codes follow
data_standards.md §4: L1 `1`–`8`, L2 = L1 + 2 digits, L3 = L2 + 2 digits, in the annex's order.
Chinese names are the annex headings without their "一、" / "（一）" / "1." numbering; English
names are our working translations, not an official text.
An indented line continues the English name of the line above. `tech_fields.py` parses and checks it.
"""

TABLE = """
1 电子信息 | Electronic information
101 软件 | Software
10101 基础软件 | Basic software
10102 嵌入式软件 | Embedded software
10103 计算机辅助设计与辅助工程管理软件 | Computer-aided design and engineering management software
10104 中文及多语种处理软件 | Chinese and multilingual processing software
10105 图形和图像处理软件 | Graphics and image processing software
10106 地理信息系统（GIS）软件 | Geographic information system (GIS) software
10107 电子商务软件 | E-commerce software
10108 电子政务软件 | E-government software
10109 企业管理软件 | Enterprise management software
10110 物联网应用软件 | Internet of Things application software
10111 云计算与移动互联网软件 | Cloud computing and mobile Internet software
10112 Web服务与集成软件 | Web services and integration software
102 微电子技术 | Microelectronics
10201 集成电路设计技术 | Integrated circuit design
10202 集成电路产品设计技术 | Integrated circuit product design
10203 集成电路封装技术 | Integrated circuit packaging
10204 集成电路测试技术 | Integrated circuit testing
10205 集成电路芯片制造工艺技术 | Integrated circuit chip manufacturing processes
10206 集成光电子器件设计、制造与工艺技术 | Integrated optoelectronic devices: design, manufacturing
  and processes
103 计算机产品及其网络应用技术 | Computer products and network applications
10301 计算机及终端设计与制造技术 | Computer and terminal design and manufacturing
10302 计算机外围设备设计与制造技术 | Computer peripheral design and manufacturing
10303 网络设备设计与制造技术 | Network equipment design and manufacturing
10304 网络应用技术 | Network applications
104 通信技术 | Communication technology
10401 通信网络技术 | Communication networks
10402 光传输系统技术 | Optical transmission systems
10403 有线宽带接入系统技术 | Wired broadband access systems
10404 移动通信系统技术 | Mobile communication systems
10405 宽带无线通信系统技术 | Broadband wireless communication systems
10406 卫星通信系统技术 | Satellite communication systems
10407 微波通信系统技术 | Microwave communication systems
10408 物联网设备、部件及组网技术 | Internet of Things devices, components and networking
10409 电信网络运营支撑管理技术 | Telecom network operation support and management
10410 电信网与互联网增值业务应用技术 | Value-added telecom and Internet service applications
105 广播影视技术 | Broadcasting, film and television technology
10501 广播电视节目采编播系统技术 | Programme production and broadcasting systems
10502 广播电视业务集成与支撑系统技术 | Broadcasting service integration and support systems
10503 有线传输与覆盖系统技术 | Cable transmission and coverage systems
10504 无线传输与覆盖系统技术 | Wireless transmission and coverage systems
10505 广播电视监测监管、安全运行与维护系统技术 | Broadcast monitoring, supervision, safe operation
  and maintenance systems
10506 数字电影系统技术 | Digital cinema systems
10507 数字电视终端技术 | Digital television terminals
10508 专业视频应用服务平台技术 | Professional video application service platforms
10509 音响、光盘技术 | Audio and optical disc technology
106 新型电子元器件 | New electronic components
10601 半导体发光技术 | Semiconductor lighting
10602 片式和集成无源元件 | Chip and integrated passive components
10603 大功率半导体器件 | High-power semiconductor devices
10604 专用特种器件 | Special-purpose devices
10605 敏感元器件与传感器 | Sensitive components and sensors
10606 中高档机电组件 | Mid- to high-end electromechanical components
10607 平板显示器件 | Flat-panel display devices
107 信息安全技术 | Information security technology
10701 密码技术 | Cryptography
10702 认证授权技术 | Authentication and authorisation
10703 系统与软件安全技术 | System and software security
10704 网络与通信安全技术 | Network and communication security
10705 安全保密技术 | Security and confidentiality
10706 安全测评技术 | Security testing and evaluation
10707 安全管理技术 | Security management
10708 应用安全技术 | Application security
108 智能交通和轨道交通技术 | Intelligent transport and rail transit technology
10801 交通控制与管理技术 | Traffic control and management
10802 交通基础信息采集、处理技术 | Traffic information collection and processing
10803 交通运输运营管理技术 | Transport operation management
10804 车、船载电子设备技术 | Vehicle- and ship-borne electronic equipment
10805 轨道交通车辆及运行保障技术 | Rail transit vehicles and operation support
10806 轨道交通运营管理与服务技术 | Rail transit operation management and services
2 生物与新医药 | Biotechnology and new medicine
201 医药生物技术 | Medical biotechnology
20101 新型疫苗 | New vaccines
20102 生物治疗技术和基因工程药物 | Biotherapy and genetically engineered drugs
20103 快速生物检测技术 | Rapid biological detection
20104 生物大分子类药物研发技术 | Biomacromolecular drug development
20105 天然药物生物合成制备技术 | Biosynthetic preparation of natural drugs
20106 生物分离介质、试剂、装置及相关检测技术 | Bioseparation media, reagents, devices and related testing
202 中药、天然药物 | Traditional Chinese medicine and natural drugs
20201 中药资源可持续利用与生态保护技术 | Sustainable use and ecological protection of TCM resources
20202 创新药物研发技术 | Innovative drug development
20203 中成药二次开发技术 | Secondary development of proprietary Chinese medicines
20204 中药质控及有害物质检测技术 | TCM quality control and harmful-substance testing
203 化学药研发技术 | Chemical drug development
20301 创新药物技术 | Innovative drugs
20302 手性药物创制技术 | Chiral drug development
20303 晶型药物创制技术 | Crystal-form drug development
20304 国家基本药物生产技术 | Production of national essential medicines
20305 国家基本药物原料药和重要中间体的技术 | APIs and key intermediates of national essential medicines
204 药物新剂型与制剂创制技术 | New dosage forms and formulations
20401 创新制剂技术 | Innovative formulations
20402 新型给药制剂技术 | New drug delivery formulations
20403 制剂新辅料开发及生产技术 | New excipients: development and production
20404 制药装备技术 | Pharmaceutical equipment
205 医疗仪器、设备与医学专用软件 | Medical instruments, equipment and medical software
20501 医学影像诊断技术 | Medical imaging diagnosis
20502 新型治疗、急救与康复技术 | New treatment, emergency and rehabilitation technology
20503 新型电生理检测和监护技术 | New electrophysiological testing and monitoring
20504 医学检验技术及新设备 | Medical laboratory testing and new equipment
20505 医学专用网络新型软件 | New networked medical software
20506 医用探测及射线计量检测技术 | Medical detection and radiation dosimetry
206 轻工和化工生物技术 | Light-industry and chemical biotechnology
20601 高效工业酶制备与生物催化技术 | Efficient industrial enzymes and biocatalysis
20602 微生物发酵技术 | Microbial fermentation
20603 生物反应及分离技术 | Bioreaction and separation
20604 天然产物有效成份的分离提取技术 | Separation and extraction of active ingredients of natural products
20605 食品安全生产与评价技术 | Food safety production and evaluation
20606 食品安全检测技术 | Food safety testing
207 农业生物技术 | Agricultural biotechnology
20701 农林植物优良新品种与优质高效安全生产技术 | New crop and forest varieties and high-quality, efficient,
  safe production
20702 畜禽水产优良新品种与健康养殖技术 | New livestock, poultry and aquatic breeds and healthy farming
20703 重大农林生物灾害与动物疫病防控技术 | Control of major agricultural and forest pests and animal
  diseases
20704 现代农业装备与信息化技术 | Modern agricultural equipment and informatisation
20705 农业面源和重金属污染农田综合防治与修复技术 | Control and remediation of non-point-source and
  heavy-metal pollution of farmland
3 航空航天 | Aerospace
301 航空技术 | Aviation technology
30101 飞行器 | Aircraft
30102 飞行器动力技术 | Aircraft propulsion
30103 飞行器系统技术 | Aircraft systems
30104 飞行器制造与材料技术 | Aircraft manufacturing and materials
30105 空中管制技术 | Air traffic control
30106 民航及通用航空运行保障技术 | Civil and general aviation operation support
302 航天技术 | Space technology
30201 卫星总体技术 | Satellite system design
30202 运载火箭技术 | Launch vehicles
30203 卫星平台技术 | Satellite platforms
30204 卫星有效载荷技术 | Satellite payloads
30205 航天测控技术 | Space tracking, telemetry and control
30206 航天电子与航天材料制造技术 | Space electronics and space materials manufacturing
30207 先进航天动力设计技术 | Advanced space propulsion design
30208 卫星应用技术 | Satellite applications
4 新材料 | New materials
401 金属材料 | Metallic materials
40101 精品钢材制备技术 | High-grade steel
40102 铝、铜、镁、钛合金清洁生产与深加工技术 | Clean production and deep processing of aluminium, copper,
  magnesium and titanium alloys
40103 稀有、稀土金属精深产品制备技术 | Refined rare and rare-earth metal products
40104 纳米及粉末冶金新材料制备与应用技术 | Nano and powder-metallurgy materials
40105 金属及金属基复合新材料制备技术 | Metal and metal-matrix composite materials
40106 半导体新材料制备与应用技术 | New semiconductor materials
40107 电工、微电子和光电子新材料制备与应用技术 | Electrical, microelectronic and optoelectronic materials
40108 超导、高效能电池等其它新材料制备与应用技术 | Superconducting, high-performance battery and other
  new materials
402 无机非金属材料 | Inorganic non-metallic materials
40201 结构陶瓷及陶瓷基复合材料强化增韧技术 | Strengthening and toughening of structural ceramics and
  ceramic-matrix composites
40202 功能陶瓷制备技术 | Functional ceramics
40203 功能玻璃制备技术 | Functional glass
40204 节能与新能源用材料制备技术 | Materials for energy saving and new energy
40205 环保及环境友好型材料技术 | Environmental protection and eco-friendly materials
403 高分子材料 | Polymer materials
40301 新型功能高分子材料的制备及应用技术 | New functional polymers
40302 工程和特种工程塑料制备技术 | Engineering and special engineering plastics
40303 新型橡胶的合成技术及橡胶新材料制备技术 | Synthesis of new rubbers and new rubber materials
40304 新型纤维及复合材料制备技术 | New fibres and composite materials
40305 高分子材料制备及循环再利用技术 | Polymer preparation and recycling
40306 高分子材料的新型加工和应用技术 | New processing and applications of polymers
404 生物医用材料 | Biomedical materials
40401 介入治疗器具材料制备技术 | Materials for interventional therapy devices
40402 心脑血管外科用新型生物材料制备技术 | New biomaterials for cardiovascular and cerebrovascular
  surgery
40403 骨科内置物制备技术 | Orthopaedic implants
40404 口腔材料制备技术 | Dental materials
40405 组织工程用材料制备技术 | Tissue engineering materials
40406 新型敷料和止血材料制备技术 | New dressings and haemostatic materials
40407 专用手术器械和材料制备技术 | Special surgical instruments and materials
40408 其他新型医用材料及制备技术 | Other new medical materials
405 精细和专用化学品 | Fine and specialty chemicals
40501 新型催化剂制备及应用技术 | New catalysts
40502 电子化学品制备及应用技术 | Electronic chemicals
40503 超细功能材料制备及应用技术 | Ultrafine functional materials
40504 精细化学品制备及应用技术 | Fine chemicals
406 与文化艺术产业相关的新材料 | New materials for the culture and arts industries
40601 文化载体和介质新材料制备技术 | New materials for cultural carriers and media
40602 艺术专用新材料制备技术 | New materials for the arts
40603 影视场景和舞台专用新材料的加工生产技术 | New materials for film sets and stages
40604 文化产品印刷新材料制备技术 | New printing materials for cultural products
40605 文物保护新材料制备技术 | New materials for cultural-relic conservation
5 高技术服务 | High-tech services
501 研发与设计服务 | R&D and design services
50101 研发服务 | R&D services
50102 设计服务 | Design services
502 检验检测认证与标准服务 | Testing, inspection, certification and standards services
50201 检验检测认证技术 | Testing, inspection and certification
50202 标准化服务技术 | Standardisation services
503 信息技术服务 | Information technology services
50301 云计算服务技术 | Cloud computing services
50302 数据服务技术 | Data services
50303 其他信息服务技术 | Other information services
504 高技术专业化服务 | Specialised high-tech services
505 知识产权与成果转化服务 | Intellectual property and technology transfer services
506 电子商务与现代物流技术 | E-commerce and modern logistics
50601 电子商务技术 | E-commerce
50602 物流与供应链管理技术 | Logistics and supply-chain management
507 城市管理与社会服务 | Urban management and social services
50701 智慧城市服务支撑技术 | Smart-city service support
50702 互联网教育 | Internet education
50703 健康管理 | Health management
50704 现代体育服务支撑技术 | Modern sports service support
508 文化创意产业支撑技术 | Cultural and creative industry support technology
50801 创作、设计与制作技术 | Creation, design and production
50802 传播与展示技术 | Dissemination and exhibition
50803 文化遗产发现与再利用技术 | Cultural heritage discovery and reuse
50804 运营与管理技术 | Operation and management
6 新能源与节能 | New energy and energy saving
601 可再生清洁能源 | Renewable clean energy
60101 太阳能 | Solar energy
60102 风能 | Wind energy
60103 生物质能 | Biomass energy
60104 地热能、海洋能及运动能 | Geothermal, ocean and kinetic energy
602 核能及氢能 | Nuclear and hydrogen energy
60201 核能 | Nuclear energy
60202 氢能 | Hydrogen energy
603 新型高效能量转换与储存技术 | New efficient energy conversion and storage
60301 高性能绿色电池（组）技术 | High-performance green batteries (packs)
60302 新型动力电池（组）与储能电池技术 | New power batteries (packs) and energy-storage batteries
60303 燃料电池技术 | Fuel cells
60304 超级电容器与热电转换技术 | Supercapacitors and thermoelectric conversion
604 高效节能技术 | High-efficiency energy saving
60401 工业节能技术 | Industrial energy saving
60402 能量回收利用技术 | Energy recovery
60403 蓄热式燃烧技术 | Regenerative combustion
60404 输配电系统优化技术 | Transmission and distribution system optimisation
60405 高温热泵技术 | High-temperature heat pumps
60406 建筑节能技术 | Building energy saving
60407 能源系统管理、优化与控制技术 | Energy system management, optimisation and control
60408 节能监测技术 | Energy-saving monitoring
7 资源与环境 | Resources and environment
701 水污染控制与水资源利用技术 | Water pollution control and water resource use
70101 城镇污水处理与资源化技术 | Urban sewage treatment and recovery
70102 工业废水处理与资源化技术 | Industrial wastewater treatment and recovery
70103 农业水污染控制技术 | Agricultural water pollution control
70104 流域水污染治理与富营养化综合控制技术 | River-basin pollution control and eutrophication management
70105 节水与非常规水资源综合利用技术 | Water saving and use of unconventional water resources
70106 饮用水安全保障技术 | Drinking water safety
702 大气污染控制技术 | Air pollution control
70201 煤燃烧污染防治技术 | Coal combustion pollution control
70202 机动车排放控制技术 | Motor vehicle emission control
70203 工业炉窑污染防治技术 | Industrial furnace and kiln pollution control
70204 工业有害废气控制技术 | Industrial hazardous waste-gas control
70205 有限空间空气污染防治技术 | Confined-space air pollution control
703 固体废弃物处置与综合利用技术 | Solid waste disposal and utilisation
70301 危险固体废弃物处置技术 | Hazardous solid waste disposal
70302 工业固体废弃物综合利用技术 | Industrial solid waste utilisation
70303 生活垃圾处置与资源化技术 | Household waste disposal and recovery
70304 建筑垃圾处置与资源化技术 | Construction waste disposal and recovery
70305 有机固体废物处理与资源化技术 | Organic solid waste treatment and recovery
70306 社会源固体废物处置与资源化技术 | Disposal and recovery of solid waste from social sources
704 物理性污染防治技术 | Physical pollution control
70401 噪声、振动污染防治技术 | Noise and vibration control
70402 核与辐射安全防治技术 | Nuclear and radiation safety
705 环境监测及环境事故应急处理技术 | Environmental monitoring and environmental emergency response
70501 环境监测预警技术 | Environmental monitoring and early warning
70502 应急环境监测技术 | Emergency environmental monitoring
70503 生态环境监测技术 | Ecological environment monitoring
70504 非常规污染物监测技术 | Monitoring of unconventional pollutants
706 生态环境建设与保护技术 | Ecological construction and protection
707 清洁生产技术 | Cleaner production
70701 重污染行业生产过程中节水、减排及资源化关键技术 | Key water-saving, emission-reduction and recovery
  technology for heavily polluting industries
70702 清洁生产关键技术 | Key cleaner production technology
70703 环保制造关键技术 | Key environmental protection manufacturing technology
708 资源勘查、高效开采与综合利用技术 | Resource exploration, efficient mining and utilisation
70801 资源勘查开采技术 | Resource exploration and mining
70802 提高矿产资源回收利用率的采矿、选矿技术 | Mining and beneficiation raising mineral recovery
70803 伴生有价元素的分选提取技术 | Separation and extraction of associated valuable elements
70804 低品位资源和尾矿资源综合利用技术 | Use of low-grade resources and tailings
70805 放射性资源勘查开发技术 | Radioactive resource exploration and development
70806 放射性废物处理处置技术 | Radioactive waste treatment and disposal
70807 绿色矿山建设技术 | Green mine construction
8 先进制造与自动化 | Advanced manufacturing and automation
801 工业生产过程控制系统 | Industrial process control systems
80101 现场总线与工业以太网技术 | Fieldbus and industrial Ethernet
80102 嵌入式系统技术 | Embedded systems
80103 新一代工业控制计算机技术 | New-generation industrial control computers
80104 制造执行系统（MES）技术 | Manufacturing execution systems (MES)
80105 工业生产过程综合自动化控制系统技术 | Integrated industrial process automation and control systems
802 安全生产技术 | Work safety technology
80201 矿山安全生产技术 | Mine safety
80202 危险化学品安全生产技术 | Hazardous chemicals safety
80203 其它事故防治及处置技术 | Other accident prevention and handling
803 高性能、智能化仪器仪表 | High-performance intelligent instruments
80301 新型传感器 | New sensors
80302 新型自动化仪器仪表 | New automation instruments
80303 科学分析仪器/检测仪器 | Scientific analysis and testing instruments
80304 精确制造中的测控仪器仪表 | Measurement and control instruments for precision manufacturing
80305 微机电系统技术 | Micro-electro-mechanical systems (MEMS)
804 先进制造工艺与装备 | Advanced manufacturing processes and equipment
80401 高档数控装备与数控加工技术 | High-end CNC equipment and CNC machining
80402 机器人 | Robots
80403 智能装备驱动控制技术 | Intelligent equipment drive and control
80404 特种加工技术 | Special machining
80405 大规模集成电路制造相关技术 | Large-scale integrated circuit manufacturing
80406 增材制造技术 | Additive manufacturing
80407 高端装备再制造技术 | High-end equipment remanufacturing
805 新型机械 | New machinery
80501 机械基础件及制造技术 | Basic mechanical parts and their manufacture
80502 通用机械装备制造技术 | General machinery manufacturing
80503 极端制造与专用机械装备制造技术 | Extreme manufacturing and special machinery manufacturing
80504 纺织及其他行业专用设备制造技术 | Special equipment for textiles and other industries
806 电力系统与设备 | Power systems and equipment
80601 发电与储能技术 | Power generation and energy storage
80602 输电技术 | Power transmission
80603 配电与用电技术 | Power distribution and consumption
80604 变电技术 | Power transformation
80605 系统仿真与自动化技术 | System simulation and automation
807 汽车及轨道车辆相关技术 | Automotive and rail vehicle technology
80701 车用发动机及其相关技术 | Vehicle engines and related technology
80702 汽车关键零部件技术 | Key automotive components
80703 节能与新能源汽车技术 | Energy-saving and new-energy vehicles
80704 机动车及发动机先进设计、制造和测试平台技术 | Advanced design, manufacturing and test platforms for
  vehicles and engines
80705 轨道车辆及关键零部件技术 | Rail vehicles and key components
808 高技术船舶与海洋工程装备设计制造技术 | High-tech ships and offshore engineering equipment
80801 高技术船舶设计制造技术 | High-tech ship design and manufacturing
80802 海洋工程装备设计制造技术 | Offshore engineering equipment design and manufacturing
809 传统文化产业改造技术 | Upgrading of traditional cultural industries
80901 乐器制造技术 | Musical instrument manufacturing
80902 印刷技术 | Printing
"""

# 2008 field names (国科发火〔2008〕172号 [C]) and common mis-spellings → the 2016 L1 code
# (policy_criteria §1.6: reject or map, never accept silently).
NAMES_2008 = {
    "电子信息技术": "1",
    "生物与新医药技术": "2",
    "航空航天技术": "3",
    "新材料技术": "4",
    "高技术服务业": "5",
    "新能源及节能技术": "6",
    "新能源及节能": "6",
    "资源与环境技术": "7",
    "高新技术改造传统产业": "8",
    "先进制造及自动化": "8",
}
